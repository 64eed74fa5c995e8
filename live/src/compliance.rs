//! The rules that decide whether a customer may be dialed now, and the abandonment kill-switch.
//! Pure functions: the time is an argument, and so is everything known about the customer.

use crate::config::{AbandonDefinition, CallingWindow, Compliance, KillAction, KillSwitch, Retry};
use crate::outcome::Outcome;
use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS, UnixMillis};
use std::fmt;

/// What is known about a customer apart from their calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerFacts {
    /// Milliseconds east of UTC; `None` when unknown (an invalid line).
    pub utc_offset_ms: Option<i64>,
    /// Flagged in the list, or on the do-not-call file.
    pub do_not_call: bool,
    /// An invalid line in the contact list.
    pub invalid: bool,
}

/// Where an earlier attempt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PastState {
    /// Planned or placed, outcome not yet known.
    InFlight,
    Finished(Outcome),
    /// Connect refused the dial with an error (treated like a failed call).
    Failed,
}

/// One earlier attempt to the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastAttempt {
    /// 1 for the first call.
    pub number: u32,
    pub state: PastState,
    /// When the call ended (or was refused); for one in flight, when it was planned.
    pub at: UnixMillis,
}

/// Why a customer may not be dialed now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Invalid,
    DoNotCall,
    /// An earlier call ended the customer's campaign (1, 3 or 0).
    Done(Outcome),
    /// The retry rules never call again after this outcome.
    NoRetry(Outcome),
    /// The retry rule's maximum attempts are used up.
    MaxAttempts(u32),
    /// A call to the customer is in flight.
    InFlight,
    /// The retry delay after the previous call has not passed.
    RetryDelay,
    /// A call to the customer was abandoned less than `abandon_quiet_h` ago.
    AbandonQuiet,
    /// Outside the calling window in the customer's local time.
    OutsideWindow,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Invalid => write!(f, "invalid line in the contact list"),
            Reason::DoNotCall => write!(f, "on the do-not-call list"),
            Reason::Done(o) => write!(f, "campaign over for this customer ({o})"),
            Reason::NoRetry(o) => write!(f, "no retry after {o}"),
            Reason::MaxAttempts(n) => write!(f, "{n} attempts made, the maximum"),
            Reason::InFlight => write!(f, "a call is in flight"),
            Reason::RetryDelay => write!(f, "retry delay not over"),
            Reason::AbandonQuiet => write!(f, "abandoned call less than the quiet period ago"),
            Reason::OutsideWindow => write!(f, "outside the calling window"),
        }
    }
}

/// The answer of [`may_dial`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Dial now, as attempt `next_attempt`.
    Now { next_attempt: u32 },
    /// Not now; ask again at `not_before` (when known — a call in flight has no known end).
    Later {
        not_before: Option<UnixMillis>,
        reason: Reason,
    },
    /// Never again.
    Never(Reason),
}

/// The retry rule that applies after an outcome (`Failed` also covers refused dials).
pub fn retry_rule(rules: &Compliance, after: Outcome) -> Option<Retry> {
    let r = &rules.retry;
    match after {
        Outcome::NoAnswer => r.no_answer,
        Outcome::Busy => r.busy,
        Outcome::Machine | Outcome::NoInput => r.machine,
        Outcome::Failed => r.failed,
        Outcome::CallBack => r.call_back,
        Outcome::Abandoned => r.abandoned,
        Outcome::Agent | Outcome::Email | Outcome::NotInterested => None,
    }
}

/// Whether `now` is inside the calling window in local time (`offset_ms` east of UTC); if not,
/// when the window opens next.
pub fn window_opens(window: &CallingWindow, offset_ms: i64, now: UnixMillis) -> Option<UnixMillis> {
    let of_day = now.0.saturating_add(offset_ms).rem_euclid(DAY_MS);
    let from = i64::from(window.from_min) * MINUTE_MS;
    let to = i64::from(window.to_min) * MINUTE_MS;
    if (from..to).contains(&of_day) {
        None
    } else if of_day < from {
        Some(now.plus_ms(from - of_day))
    } else {
        Some(now.plus_ms(DAY_MS - of_day + from))
    }
}

/// May this customer be dialed at `now`? Checks, in order: an invalid line, do-not-call, a call
/// in flight, the previous outcome (final, or its retry rule: maximum attempts and delay), the
/// quiet period after an abandoned call, and the calling window in the customer's local time.
pub fn may_dial(
    customer: &CustomerFacts,
    history: &[PastAttempt],
    rules: &Compliance,
    now: UnixMillis,
) -> Verdict {
    if customer.invalid {
        return Verdict::Never(Reason::Invalid);
    }
    let Some(offset) = customer.utc_offset_ms else {
        return Verdict::Never(Reason::Invalid);
    };
    if customer.do_not_call {
        return Verdict::Never(Reason::DoNotCall);
    }
    if history.iter().any(|a| a.state == PastState::InFlight) {
        return Verdict::Later {
            not_before: None,
            reason: Reason::InFlight,
        };
    }
    let made = history.iter().map(|a| a.number).max().unwrap_or(0);
    let mut earliest = now;
    let mut waiting_for = None;
    if let Some(last) = history.iter().max_by_key(|a| a.number) {
        let outcome = match last.state {
            PastState::Finished(o) => o,
            PastState::Failed | PastState::InFlight => Outcome::Failed,
        };
        if outcome.is_final() {
            return Verdict::Never(Reason::Done(outcome));
        }
        let Some(rule) = retry_rule(rules, outcome) else {
            return Verdict::Never(Reason::NoRetry(outcome));
        };
        if made >= *rule.max_attempts.get() {
            return Verdict::Never(Reason::MaxAttempts(made));
        }
        let due = last
            .at
            .plus_ms((rule.after_min.get() * MINUTE_MS as f64).ceil() as i64);
        if due > earliest {
            earliest = due;
            waiting_for = Some(Reason::RetryDelay);
        }
    }
    let quiet = i64::from(*rules.abandon_quiet_h.get()) * HOUR_MS;
    for a in history {
        if a.state == PastState::Finished(Outcome::Abandoned) && a.at.plus_ms(quiet) > earliest {
            earliest = a.at.plus_ms(quiet);
            waiting_for = Some(Reason::AbandonQuiet);
        }
    }
    if let Some(reason) = waiting_for {
        return Verdict::Later {
            not_before: Some(earliest),
            reason,
        };
    }
    if let Some(opens) = window_opens(&rules.calling_window, offset, now) {
        return Verdict::Later {
            not_before: Some(opens),
            reason: Reason::OutsideWindow,
        };
    }
    Verdict::Now {
        next_attempt: made + 1,
    }
}

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
    use crate::config::{MaxAttempts, QuietHours};
    use strategies::param::Share;

    // 2026-03-02T00:00:00Z, a Monday.
    const MIDNIGHT: i64 = 1_772_409_600_000;

    fn at(h: i64, m: i64) -> UnixMillis {
        UnixMillis(MIDNIGHT + h * HOUR_MS + m * MINUTE_MS)
    }

    fn customer(offset_h: i64) -> CustomerFacts {
        CustomerFacts {
            utc_offset_ms: Some(offset_h * HOUR_MS),
            do_not_call: false,
            invalid: false,
        }
    }

    fn finished(number: u32, outcome: Outcome, t: UnixMillis) -> PastAttempt {
        PastAttempt {
            number,
            state: PastState::Finished(outcome),
            at: t,
        }
    }

    #[test]
    fn calling_window_in_local_time() {
        let rules = Compliance::default();
        // 14:00 UTC is 09:00 in New York (-05:00): inside 08:00-21:00.
        assert_eq!(
            may_dial(&customer(-5), &[], &rules, at(14, 0)),
            Verdict::Now { next_attempt: 1 }
        );
        // 12:00 UTC is 07:00 there: opens at 08:00 local = 13:00 UTC.
        assert_eq!(
            may_dial(&customer(-5), &[], &rules, at(12, 0)),
            Verdict::Later {
                not_before: Some(at(13, 0)),
                reason: Reason::OutsideWindow
            }
        );
        // 12:00 UTC is 21:00 in Tokyo (+09:00): closed (to is exclusive), opens 08:00 tomorrow.
        assert_eq!(
            may_dial(&customer(9), &[], &rules, at(12, 0)),
            Verdict::Later {
                not_before: Some(at(23, 0)),
                reason: Reason::OutsideWindow
            }
        );
        assert!(matches!(
            may_dial(&customer(9), &[], &rules, at(11, 59)),
            Verdict::Now { .. }
        ));
    }

    #[test]
    fn invalid_and_do_not_call_are_never_dialed() {
        let rules = Compliance::default();
        let mut c = customer(0);
        c.do_not_call = true;
        assert_eq!(
            may_dial(&c, &[], &rules, at(12, 0)),
            Verdict::Never(Reason::DoNotCall)
        );
        let mut c = customer(0);
        c.invalid = true;
        assert_eq!(
            may_dial(&c, &[], &rules, at(12, 0)),
            Verdict::Never(Reason::Invalid)
        );
        let mut c = customer(0);
        c.utc_offset_ms = None;
        assert_eq!(
            may_dial(&c, &[], &rules, at(12, 0)),
            Verdict::Never(Reason::Invalid)
        );
    }

    #[test]
    fn retry_delay_and_max_attempts() {
        let rules = Compliance::default(); // no_answer: after 120 min, at most 3
        let c = customer(0);
        let h = [finished(1, Outcome::NoAnswer, at(10, 0))];
        assert_eq!(
            may_dial(&c, &h, &rules, at(11, 0)),
            Verdict::Later {
                not_before: Some(at(12, 0)),
                reason: Reason::RetryDelay
            }
        );
        assert_eq!(
            may_dial(&c, &h, &rules, at(12, 0)),
            Verdict::Now { next_attempt: 2 }
        );
        let h = [
            finished(1, Outcome::NoAnswer, at(8, 0)),
            finished(2, Outcome::Busy, at(10, 0)),
            finished(3, Outcome::NoAnswer, at(12, 0)),
        ];
        assert_eq!(
            may_dial(&c, &h, &rules, at(18, 0)),
            Verdict::Never(Reason::MaxAttempts(3))
        );
        let mut tight = Compliance::default();
        tight.retry.no_answer = Some(Retry {
            after_min: strategies::param::DelayMinutes::new(10.0).unwrap(),
            max_attempts: MaxAttempts::new(1).unwrap(),
        });
        assert_eq!(
            may_dial(&c, &h[..1], &tight, at(18, 0)),
            Verdict::Never(Reason::MaxAttempts(1))
        );
    }

    #[test]
    fn final_outcomes_and_outcomes_without_retry() {
        let rules = Compliance::default();
        let c = customer(0);
        for o in [Outcome::Agent, Outcome::Email, Outcome::NotInterested] {
            assert_eq!(
                may_dial(&c, &[finished(1, o, at(9, 0))], &rules, at(18, 0)),
                Verdict::Never(Reason::Done(o))
            );
        }
        // failed: no retry by default; a refused dial counts as failed.
        assert_eq!(
            may_dial(
                &c,
                &[finished(1, Outcome::Failed, at(9, 0))],
                &rules,
                at(18, 0)
            ),
            Verdict::Never(Reason::NoRetry(Outcome::Failed))
        );
        let refused = PastAttempt {
            number: 1,
            state: PastState::Failed,
            at: at(9, 0),
        };
        assert_eq!(
            may_dial(&c, &[refused], &rules, at(18, 0)),
            Verdict::Never(Reason::NoRetry(Outcome::Failed))
        );
    }

    #[test]
    fn call_in_flight_blocks() {
        let rules = Compliance::default();
        let h = [PastAttempt {
            number: 1,
            state: PastState::InFlight,
            at: at(12, 0),
        }];
        assert_eq!(
            may_dial(&customer(0), &h, &rules, at(15, 0)),
            Verdict::Later {
                not_before: None,
                reason: Reason::InFlight
            }
        );
    }

    #[test]
    fn no_redial_within_72_hours_of_an_abandon() {
        let mut rules = Compliance::default();
        // Even a retry rule that would call back after 10 minutes waits 72 h.
        rules.retry.abandoned = Some(Retry {
            after_min: strategies::param::DelayMinutes::new(10.0).unwrap(),
            max_attempts: MaxAttempts::new(5).unwrap(),
        });
        let c = customer(0);
        let h = [finished(1, Outcome::Abandoned, at(12, 0))];
        assert_eq!(
            may_dial(&c, &h, &rules, at(12 + 71, 59)),
            Verdict::Later {
                not_before: Some(at(12 + 72, 0)),
                reason: Reason::AbandonQuiet
            }
        );
        assert_eq!(
            may_dial(&c, &h, &rules, at(12 + 72, 0)),
            Verdict::Now { next_attempt: 2 }
        );
        // An older abandon still counts after a later call-back.
        let h = [
            finished(1, Outcome::Abandoned, at(12, 0)),
            finished(2, Outcome::CallBack, at(12, 30)),
        ];
        rules.retry.call_back = Some(Retry {
            after_min: strategies::param::DelayMinutes::new(1.0).unwrap(),
            max_attempts: MaxAttempts::new(5).unwrap(),
        });
        assert!(matches!(
            may_dial(&c, &h, &rules, at(40, 0)),
            Verdict::Later {
                reason: Reason::AbandonQuiet,
                ..
            }
        ));
        // Without a retry rule for abandons, never.
        rules.retry.abandoned = None;
        assert_eq!(
            may_dial(&c, &h[..1], &rules, at(200, 0)),
            Verdict::Never(Reason::NoRetry(Outcome::Abandoned))
        );
        rules.abandon_quiet_h = QuietHours::new(96).unwrap();
        rules.retry.abandoned = Some(Retry {
            after_min: strategies::param::DelayMinutes::new(1.0).unwrap(),
            max_attempts: MaxAttempts::new(5).unwrap(),
        });
        assert!(matches!(
            may_dial(&c, &h[..1], &rules, at(12 + 80, 0)),
            Verdict::Later {
                reason: Reason::AbandonQuiet,
                ..
            }
        ));
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
