//! The abandonment kill-switch and the abandon rates live measures. Whether a customer may be
//! dialed now is the rules' crate's ([`rules::rulebook::may_dial`]), shared with the simulator.
//! Pure functions: the time is an argument.

use crate::config::{AbandonDefinition, KillAction, KillSwitch};
use crate::outcome::Outcome;
use crate::time::{MINUTE_MS, UnixMillis};
use rules::abandonment::{self, AbandonTally};

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

/// The counts of the abandon rates' one definition ([`rules::abandonment`]) over `calls`, with
/// the compliance threshold `threshold_ms`. A live campaign cannot count the people
/// answering-machine detection hung up on (Connect reports them as machines).
pub fn tally<'a>(
    calls: impl IntoIterator<Item = &'a FinishedCall>,
    threshold_ms: i64,
) -> AbandonTally {
    let mut t = AbandonTally::default();
    for c in calls {
        t.abandoned += u64::from(c.outcome == Outcome::Abandoned);
        t.live_answers += u64::from(c.outcome.live_answer());
        t.queued += u64::from(c.outcome.queued());
        if c.outcome == Outcome::Agent
            && let (Some(q), Some(a)) = (c.queued_at, c.connected_at)
        {
            let waited = (a.0 - q.0).max(0) as u64;
            t.connected_late += u64::from(abandonment::connected_late(
                waited,
                threshold_ms.max(0) as u64,
            ));
        }
    }
    t
}

/// The rate and its denominator under `definition`.
pub fn rate(t: &AbandonTally, definition: AbandonDefinition) -> (Option<f64>, u64) {
    match definition {
        AbandonDefinition::Regulatory => (t.regulatory_rate(), t.live_answers),
        AbandonDefinition::Queue => (t.queue_rate(), t.queued),
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
/// above the target and its denominator holds at least `min_calls` calls.
pub fn kill_switch(
    calls: &[FinishedCall],
    rules: &KillSwitch,
    threshold_ms: i64,
    now: UnixMillis,
) -> KillSwitchState {
    let window = (rules.window_min.get() * MINUTE_MS as f64).round() as i64;
    let start = now.plus_ms(-window);
    let counts = tally(
        calls
            .iter()
            .filter(|c| c.ended_at > start && c.ended_at <= now),
        threshold_ms,
    );
    let (rate, denominator) = rate(&counts, rules.definition);
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
            kill_switch(&c, &ks, 2_000, at(0, 20)),
            KillSwitchState::Tripped {
                rate: 0.2,
                denominator: 5,
                action: KillAction::FallBackToProgressive
            }
        );
        // Queue definition: 1 abandon ÷ 2 queued, but only 2 in the denominator < 4: holds.
        ks.definition = AbandonDefinition::Queue;
        assert_eq!(
            kill_switch(&c, &ks, 2_000, at(0, 20)),
            KillSwitchState::Clear {
                rate: Some(0.5),
                denominator: 2
            }
        );
        // The abandon leaves the 60-minute window: clear.
        ks.definition = AbandonDefinition::Regulatory;
        ks.action = KillAction::Pause;
        assert_eq!(
            kill_switch(&c, &ks, 2_000, at(1, 12)),
            KillSwitchState::Clear {
                rate: Some(0.0),
                denominator: 2
            }
        );
        // Under the target: clear.
        ks.target_abandon = Share::new(0.25).unwrap();
        assert!(matches!(
            kill_switch(&c, &ks, 2_000, at(0, 20)),
            KillSwitchState::Clear { .. }
        ));
        ks.target_abandon = Share::new(0.1).unwrap();
        assert!(matches!(
            kill_switch(&c, &ks, 2_000, at(0, 20)),
            KillSwitchState::Tripped {
                action: KillAction::Pause,
                ..
            }
        ));
        // Calls after `now` are not counted.
        assert_eq!(
            kill_switch(&c, &ks, 2_000, at(0, 10)),
            KillSwitchState::Clear {
                rate: Some(0.0),
                denominator: 1
            }
        );
    }
}
