//! The abandonment kill-switch and the abandon rates live measures. Whether a customer may be
//! dialed now is the rules' crate's ([`rules::rulebook::may_dial`]), shared with the simulator.
//! Pure functions: the time is an argument.

use crate::config::{AbandonDefinition, KillAction, KillSwitch};
use crate::outcome::Outcome;
use crate::time::{MINUTE_MS, UnixMillis};

/// Abandons and their two denominators over some finished calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AbandonCounts {
    pub abandoned: u64,
    /// Calls answered by a live person (pressed a key, or chose an agent and gave up).
    pub live_answers: u64,
    /// Callers who chose to talk to an agent (entered the queue).
    pub queued: u64,
}

impl AbandonCounts {
    pub fn from_outcomes(outcomes: impl IntoIterator<Item = Outcome>) -> AbandonCounts {
        let mut c = AbandonCounts::default();
        for o in outcomes {
            c.abandoned += u64::from(o == Outcome::Abandoned);
            c.live_answers += u64::from(o.live_answer());
            c.queued += u64::from(o.queued());
        }
        c
    }

    /// Abandoned ÷ live answers; `None` with no live answer.
    pub fn regulatory(&self) -> Option<f64> {
        (self.live_answers > 0).then(|| self.abandoned as f64 / self.live_answers as f64)
    }

    /// Abandoned ÷ callers who entered the queue; `None` with none.
    pub fn queue(&self) -> Option<f64> {
        (self.queued > 0).then(|| self.abandoned as f64 / self.queued as f64)
    }

    /// The rate and its denominator under `definition`.
    pub fn rate(&self, definition: AbandonDefinition) -> (Option<f64>, u64) {
        match definition {
            AbandonDefinition::Regulatory => (self.regulatory(), self.live_answers),
            AbandonDefinition::Queue => (self.queue(), self.queued),
        }
    }
}

/// One finished call, for the kill-switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinishedCall {
    pub ended_at: UnixMillis,
    pub outcome: Outcome,
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
/// above the target and its denominator holds at least `min_calls` calls.
pub fn kill_switch(calls: &[FinishedCall], rules: &KillSwitch, now: UnixMillis) -> KillSwitchState {
    let window = (rules.window_min.get() * MINUTE_MS as f64).round() as i64;
    let start = now.plus_ms(-window);
    let counts = AbandonCounts::from_outcomes(
        calls
            .iter()
            .filter(|c| c.ended_at > start && c.ended_at <= now)
            .map(|c| c.outcome),
    );
    let (rate, denominator) = counts.rate(rules.definition);
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
            })
            .collect()
    }

    #[test]
    fn kill_switch_trips_over_target_in_window() {
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
            kill_switch(&c, &ks, at(0, 20)),
            KillSwitchState::Tripped {
                rate: 0.2,
                denominator: 5,
                action: KillAction::FallBackToProgressive
            }
        );
        // Queue definition: 1 abandon ÷ 2 queued, but only 2 in the denominator < 4: holds.
        ks.definition = AbandonDefinition::Queue;
        assert_eq!(
            kill_switch(&c, &ks, at(0, 20)),
            KillSwitchState::Clear {
                rate: Some(0.5),
                denominator: 2
            }
        );
        // The abandon leaves the 60-minute window: clear.
        ks.definition = AbandonDefinition::Regulatory;
        ks.action = KillAction::Pause;
        assert_eq!(
            kill_switch(&c, &ks, at(1, 12)),
            KillSwitchState::Clear {
                rate: Some(0.0),
                denominator: 2
            }
        );
        // Under the target: clear.
        ks.target_abandon = Share::new(0.25).unwrap();
        assert!(matches!(
            kill_switch(&c, &ks, at(0, 20)),
            KillSwitchState::Clear { .. }
        ));
        ks.target_abandon = Share::new(0.1).unwrap();
        assert!(matches!(
            kill_switch(&c, &ks, at(0, 20)),
            KillSwitchState::Tripped {
                action: KillAction::Pause,
                ..
            }
        ));
        // Calls after `now` are not counted.
        assert_eq!(
            kill_switch(&c, &ks, at(0, 10)),
            KillSwitchState::Clear {
                rate: Some(0.0),
                denominator: 1
            }
        );
    }
}
