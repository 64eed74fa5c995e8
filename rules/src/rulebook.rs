//! The campaign's rules: when a customer may be called (the calling window in the customer's
//! local time, retries per outcome with their delays and attempt caps, the quiet period after an
//! abandoned call, the do-not-call list), and the pure decision "may this customer be dialed
//! now, and if not, from when". A scenario (`rules: (...)`) and a campaign file
//! (`compliance: (rules: (...))`) embed the same [`Rules`], with the same syntax and defaults,
//! so the simulator prevents exactly what live prevents.

use crate::param::DelayMinutes;
use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS, UnixMillis};
use crate::words::Outcome;
use crate::zone::Zone;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The shortest ring before a dial may be given up as unanswered (US rules: 15 s).
pub const MIN_RING_S: u32 = 15;
/// The longest ring timeout Amazon Connect takes (RingTimeoutInSeconds).
pub const MAX_RING_S: u32 = 60;

crate::range!(
    /// A ring timeout in seconds: from the rules' minimum ring (15 s) to Connect's longest (60 s).
    RingTimeoutSeconds, RingTimeoutSecondsRange, MIN_RING_S as f64, true,
    MAX_RING_S as f64, "a ring timeout", " s",
    "a call must ring at least 15 s before it is given up (regulations), and Connect rings at most 60 s"
);

/// The shortest quiet period after an abandoned call (US rules: 72 h).
pub const MIN_ABANDON_QUIET_H: u32 = 72;

/// Everything that decides whether a customer may be called now, but the do-not-call list
/// itself (a file in live, a share of the list in a scenario) and the customer's own facts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Local hours of the customer's day in which calls may start (08:00 to 21:00 unless
    /// given; `(from: "00:00", to: "24:00")` for any hour).
    #[serde(default)]
    pub calling_window: CallingWindow,
    /// When to call again, per outcome of the previous attempt.
    #[serde(default)]
    pub retry: RetryRules,
    /// Hours during which a customer whose call was abandoned is not called again (72 or more).
    #[serde(default = "default_quiet")]
    pub abandon_quiet_h: QuietHours,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            calling_window: CallingWindow::default(),
            retry: RetryRules::default(),
            abandon_quiet_h: default_quiet(),
        }
    }
}

fn default_quiet() -> QuietHours {
    QuietHours(MIN_ABANDON_QUIET_H)
}

/// `(from: "08:00", to: "21:00")`: local time of day, from inclusive, to exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallingWindow {
    /// Minutes after local midnight.
    pub from_min: u32,
    pub to_min: u32,
}

impl Default for CallingWindow {
    fn default() -> Self {
        CallingWindow {
            from_min: 8 * 60,
            to_min: 21 * 60,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "CallingWindow")]
struct WindowFields {
    from: String,
    to: String,
}

fn parse_hhmm(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl Serialize for CallingWindow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        WindowText {
            from: hhmm(self.from_min),
            to: hhmm(self.to_min),
        }
        .serialize(s)
    }
}

/// How a window is written, for serializing.
#[derive(Serialize)]
#[serde(rename = "CallingWindow")]
struct WindowText {
    from: String,
    to: String,
}

impl<'de> Deserialize<'de> for CallingWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = WindowFields::deserialize(d)?;
        let bad = |t: &str| {
            serde::de::Error::custom(format!(
                "calling window time {t:?} is not a time of day: write it as \"HH:MM\", e.g. \"08:00\""
            ))
        };
        let from = parse_hhmm(&f.from).ok_or_else(|| bad(&f.from))?;
        let to = parse_hhmm(&f.to).ok_or_else(|| bad(&f.to))?;
        if from >= to {
            return Err(serde::de::Error::custom(format!(
                "calling window {} to {} is empty or crosses midnight: `from` must come before `to`",
                f.from, f.to
            )));
        }
        Ok(CallingWindow {
            from_min: from,
            to_min: to,
        })
    }
}

/// When to call a customer again after each kind of outcome. `None`: never after that outcome.
/// Answers that end a customer's campaign (1 agent, 3 e-mail, 0 not interested) are never retried.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryRules {
    #[serde(default = "retry_no_answer")]
    pub no_answer: Option<Retry>,
    #[serde(default = "retry_busy")]
    pub busy: Option<Retry>,
    /// A machine answered, or nobody pressed a key (result code -2).
    #[serde(default = "retry_machine")]
    pub machine: Option<Retry>,
    /// The network failed the call, or Connect refused it with an error.
    #[serde(default)]
    pub failed: Option<Retry>,
    /// The customer pressed 2: call back another day.
    #[serde(default = "retry_call_back")]
    pub call_back: Option<Retry>,
    /// The caller hung up waiting for an agent. `abandon_quiet_h` applies on top.
    #[serde(default)]
    pub abandoned: Option<Retry>,
}

fn retry(after_min: f64, max_attempts: u32) -> Option<Retry> {
    Some(Retry {
        after_min: DelayMinutes::new(after_min).expect("in range"),
        max_attempts: MaxAttempts(max_attempts),
    })
}
fn retry_no_answer() -> Option<Retry> {
    retry(120.0, 3)
}
fn retry_busy() -> Option<Retry> {
    retry(30.0, 3)
}
fn retry_machine() -> Option<Retry> {
    retry(240.0, 3)
}
fn retry_call_back() -> Option<Retry> {
    retry(1440.0, 3)
}

impl Default for RetryRules {
    fn default() -> Self {
        RetryRules {
            no_answer: retry_no_answer(),
            busy: retry_busy(),
            machine: retry_machine(),
            failed: None,
            call_back: retry_call_back(),
            abandoned: None,
        }
    }
}

/// `(after_min: 120.0, max_attempts: 3)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Minutes to wait after the previous attempt ended (above 0, at most 744 h).
    pub after_min: DelayMinutes,
    /// No attempt beyond this many calls to the customer in total.
    pub max_attempts: MaxAttempts,
}

crate::checked!(
    /// Hours of quiet after an abandoned call: at least 72.
    QuietHours(u32),
    |v| if *v >= 72 {
        Ok(())
    } else {
        Err(format!("abandon_quiet_h {v} is too short: a customer whose call was abandoned may not be called again within 72 hours"))
    }
);
crate::checked!(
    /// A maximum number of attempts: 1 to 1,000.
    MaxAttempts(u32),
    |v| if (1..=1_000).contains(v) { Ok(()) } else { Err(format!("max_attempts {v} is out of range: give 1 (the first call) to 1000")) }
);

impl Copy for QuietHours {}
impl Copy for MaxAttempts {}

/// What is known about a customer apart from their calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerFacts {
    /// The customer's time zone; `None` when unknown (an invalid line).
    pub zone: Option<Zone>,
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

/// How many retry rules there are: [`retry_slot`] numbers them `0..RETRY_SLOTS`.
pub const RETRY_SLOTS: usize = 6;

/// Which retry rule applies after an outcome, as a number: no answer, machine (and no input),
/// busy, failed, call back, abandoned. `None` after a final outcome. The callable index releases
/// customers falling due at the same instant in this order.
pub fn retry_slot(after: Outcome) -> Option<usize> {
    match after {
        Outcome::NoAnswer => Some(0),
        Outcome::Machine | Outcome::NoInput => Some(1),
        Outcome::Busy => Some(2),
        Outcome::Failed => Some(3),
        Outcome::CallBack => Some(4),
        Outcome::Abandoned => Some(5),
        Outcome::Agent | Outcome::Email | Outcome::NotInterested => None,
    }
}

impl RetryRules {
    /// The rule numbered `slot` by [`retry_slot`].
    pub fn by_slot(&self, slot: usize) -> Option<Retry> {
        match slot {
            0 => self.no_answer,
            1 => self.machine,
            2 => self.busy,
            3 => self.failed,
            4 => self.call_back,
            5 => self.abandoned,
            _ => None,
        }
    }
}

/// The retry rule that applies after an outcome (`Failed` also covers refused dials).
pub fn retry_rule(rules: &Rules, after: Outcome) -> Option<Retry> {
    retry_slot(after).and_then(|slot| rules.retry.by_slot(slot))
}

impl CallingWindow {
    /// The whole day: any hour.
    pub const ANY_HOUR: CallingWindow = CallingWindow {
        from_min: 0,
        to_min: 24 * 60,
    };

    fn edges_ms(&self) -> (i64, i64) {
        (
            i64::from(self.from_min) * MINUTE_MS,
            i64::from(self.to_min) * MINUTE_MS,
        )
    }

    /// Whether a call may start at `now` for a customer in `zone`: `from` ≤ the customer's
    /// local time of day at `now` < `to`.
    pub fn is_open(&self, zone: &Zone, now: UnixMillis) -> bool {
        let (from, to) = self.edges_ms();
        (from..to).contains(&local_time_of_day(zone, now))
    }

    /// A time after `now` before which [`CallingWindow::is_open`] cannot change: the next local
    /// time of day that is one of the window's edges, or the zone's next change of offset if
    /// that comes first.
    pub fn steady_until(&self, zone: &Zone, now: UnixMillis) -> UnixMillis {
        let local = local_time_of_day(zone, now);
        let (from, to) = self.edges_ms();
        let ahead = |edge: i64| match (edge - local).rem_euclid(DAY_MS) {
            0 => DAY_MS,
            d => d,
        };
        let edge = now.plus_ms(ahead(from).min(ahead(to)));
        zone.next_change(now, edge).unwrap_or(edge)
    }
}

/// The customer's local time of day at `now`, in milliseconds since local midnight.
fn local_time_of_day(zone: &Zone, now: UnixMillis) -> i64 {
    now.0
        .saturating_add(zone.offset_ms_at(now))
        .rem_euclid(DAY_MS)
}

/// Whether `now` is inside the calling window in the customer's local time (in `zone`); if
/// not, when the window opens next — on the local clock of that instant, so that a change of
/// offset (daylight saving) on the way is followed.
pub fn window_opens(window: &CallingWindow, zone: &Zone, now: UnixMillis) -> Option<UnixMillis> {
    let (from, _) = window.edges_ms();
    let mut t = now;
    // Each pass either answers or moves to a change of offset before the opening; a zone
    // changes its offset at most twice a year, so the bound is never reached in practice.
    for _ in 0..8 {
        if window.is_open(zone, t) {
            return (t != now).then_some(t);
        }
        let opens = t.plus_ms((from - local_time_of_day(zone, t)).rem_euclid(DAY_MS));
        match zone.next_change(t, opens) {
            Some(change) => t = change,
            None => return Some(opens),
        }
    }
    Some(t)
}

/// May this customer be dialed at `now`? Checks, in order: an invalid line, do-not-call, a call
/// in flight, the previous outcome (final, or its retry rule: maximum attempts and delay), the
/// quiet period after an abandoned call, and the calling window in the customer's local time.
pub fn may_dial(
    customer: &CustomerFacts,
    history: &[PastAttempt],
    rules: &Rules,
    now: UnixMillis,
) -> Verdict {
    if customer.invalid {
        return Verdict::Never(Reason::Invalid);
    }
    let Some(zone) = customer.zone else {
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
    if let Some(opens) = window_opens(&rules.calling_window, &zone, now) {
        return Verdict::Later {
            not_before: Some(opens),
            reason: Reason::OutsideWindow,
        };
    }
    Verdict::Now {
        next_attempt: made + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param::DelayMinutes;

    // 2026-03-02T00:00:00Z, a Monday.
    const MIDNIGHT: i64 = 1_772_409_600_000;

    fn at(h: i64, m: i64) -> UnixMillis {
        UnixMillis(MIDNIGHT + h * HOUR_MS + m * MINUTE_MS)
    }

    fn customer(offset_h: i64) -> CustomerFacts {
        CustomerFacts {
            zone: Some(Zone::Fixed(offset_h * HOUR_MS)),
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
        let rules = Rules::default();
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

    fn new_york() -> CustomerFacts {
        CustomerFacts {
            zone: Zone::parse("America/New_York"),
            do_not_call: false,
            invalid: false,
        }
    }

    fn utc(text: &str) -> UnixMillis {
        UnixMillis(
            chrono::DateTime::parse_from_rfc3339(text)
                .expect("an instant")
                .timestamp_millis(),
        )
    }

    /// New York's clocks go forward at 07:00 UTC on 8 March 2026 and back at 06:00 UTC on 1
    /// November: the window opens at 08:00 on the clock of the day it opens.
    #[test]
    fn the_window_opens_on_the_local_clock_across_daylight_saving() {
        let rules = Rules::default();
        let opens = |now: &str| match may_dial(&new_york(), &[], &rules, utc(now)) {
            Verdict::Later {
                not_before: Some(t),
                reason: Reason::OutsideWindow,
            } => t.rfc3339(),
            v => panic!("{now}: {v:?}"),
        };
        // Saturday 22:00 EST; Sunday 08:00 is EDT (UTC-4).
        assert_eq!(opens("2026-03-08T03:00:00Z"), "2026-03-08T12:00:00Z");
        // Saturday 22:00 EDT; Sunday 08:00 is EST (UTC-5).
        assert_eq!(opens("2026-11-01T02:00:00Z"), "2026-11-01T13:00:00Z");
        // 12:30 UTC on the Sunday of spring: 08:30 EDT, open (07:30 on last week's clock).
        assert!(matches!(
            may_dial(&new_york(), &[], &rules, utc("2026-03-08T12:30:00Z")),
            Verdict::Now { .. }
        ));
        // 00:30 UTC on the Monday after autumn: 19:30 EST, open (20:30 on the old clock too);
        // 01:30 UTC is 20:30 EST, still open, though it would be 21:30 on the summer clock.
        assert!(matches!(
            may_dial(&new_york(), &[], &rules, utc("2026-11-03T01:30:00Z")),
            Verdict::Now { .. }
        ));
    }

    proptest::proptest! {
        /// For zones with whole-hour, half-hour and 30-minute daylight saving changes, at any
        /// instant of 2026: the window is the same until `steady_until`, and `window_opens`
        /// names an open instant with none open before it (checked minute by minute).
        #[test]
        fn steady_until_and_window_opens_agree_with_is_open(
            zone in proptest::sample::select(vec![
                "America/New_York", "Europe/London", "Australia/Lord_Howe",
                "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago",
            ]),
            minute in 0i64..366 * 24 * 60,
            from in 0u32..23 * 60,
            length in 1u32..24 * 60,
        ) {
            let zone = Zone::parse(zone).unwrap();
            let window = CallingWindow { from_min: from, to_min: (from + length).min(24 * 60) };
            let start = utc("2026-01-01T00:00:00Z").plus_ms(minute * MINUTE_MS);
            let open = window.is_open(&zone, start);
            let until = window.steady_until(&zone, start);
            proptest::prop_assert!(until > start);
            let mut t = start;
            while t < until {
                proptest::prop_assert_eq!(window.is_open(&zone, t), open);
                t = t.plus_ms(MINUTE_MS);
            }
            match window_opens(&window, &zone, start) {
                None => proptest::prop_assert!(open),
                Some(opens) => {
                    proptest::prop_assert!(!open && window.is_open(&zone, opens));
                    proptest::prop_assert!(!window.is_open(&zone, opens.plus_ms(-1)));
                    let mut t = start;
                    while t < opens {
                        proptest::prop_assert!(!window.is_open(&zone, t));
                        t = t.plus_ms(MINUTE_MS);
                    }
                }
            }
        }
    }

    #[test]
    fn invalid_and_do_not_call_are_never_dialed() {
        let rules = Rules::default();
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
        c.zone = None;
        assert_eq!(
            may_dial(&c, &[], &rules, at(12, 0)),
            Verdict::Never(Reason::Invalid)
        );
    }

    #[test]
    fn retry_delay_and_max_attempts() {
        let rules = Rules::default(); // no_answer: after 120 min, at most 3
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
        let mut tight = Rules::default();
        tight.retry.no_answer = Some(Retry {
            after_min: DelayMinutes::new(10.0).unwrap(),
            max_attempts: MaxAttempts::new(1).unwrap(),
        });
        assert_eq!(
            may_dial(&c, &h[..1], &tight, at(18, 0)),
            Verdict::Never(Reason::MaxAttempts(1))
        );
    }

    #[test]
    fn final_outcomes_and_outcomes_without_retry() {
        let rules = Rules::default();
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
        let rules = Rules::default();
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
        let mut rules = Rules::default();
        // Even a retry rule that would call back after 10 minutes waits 72 h.
        rules.retry.abandoned = Some(Retry {
            after_min: DelayMinutes::new(10.0).unwrap(),
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
            after_min: DelayMinutes::new(1.0).unwrap(),
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
            after_min: DelayMinutes::new(1.0).unwrap(),
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
}
