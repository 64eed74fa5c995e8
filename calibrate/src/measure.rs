//! From classified contacts to the samples each scenario field is fitted to, and the mixes
//! that need no fit.
//!
//! Everything here is counting and sorting: the outcome mix overall and per hour of the
//! customer's local day, the IVR choice mix, the ring timeout the no-answer calls show, and the
//! samples (answer times, key presses, queue waits with their censoring, talk, after-call work)
//! that [`crate::fits`] turns into distributions.

use crate::classify::{Contact, DialOutcome, QueueWait};
use crate::mix::Mix;
use rules::Choice;
use rules::zone::Zone;

/// The choices in the order a scenario's `ivr` lists them.
pub const CHOICES: [Choice; 5] = [
    Choice::Agent,
    Choice::CallBack,
    Choice::Email,
    Choice::NotInterested,
    Choice::NoInput,
];

/// The scenario's field of a choice (`ivr.agent`, …, `ivr.no_input`).
pub fn choice_field(c: Choice) -> &'static str {
    match c {
        Choice::Agent => "agent",
        Choice::CallBack => "call_back",
        Choice::Email => "email",
        Choice::NotInterested => "not_interested",
        Choice::NoInput => "no_input",
    }
}

/// The samples and mixes of a campaign's contacts.
#[derive(Clone, Debug)]
pub struct Measured {
    pub contacts: u64,
    /// Contacts whose record carried an AMD verdict.
    pub amd_verdicts: u64,
    pub outcome: Mix<DialOutcome>,
    /// The outcome mix per hour of the customer's local day (0–23), hours with calls only.
    pub outcome_by_hour: Vec<(u32, Mix<DialOutcome>)>,
    /// The choices of the people who answered.
    pub choice: Mix<Choice>,
    /// How long no-answer calls rang, sorted.
    pub rang_s: Vec<f64>,
    /// Launch to answer of answered calls, sorted.
    pub answer_after_s: Vec<f64>,
    /// Launch to the busy signal, sorted.
    pub busy_after_s: Vec<f64>,
    /// Launch to failure, sorted.
    pub failed_after_s: Vec<f64>,
    /// Answer to the queue, for people who chose an agent, sorted.
    pub answer_to_queue_s: Vec<f64>,
    /// Answer to the end, for people who chose something else, per choice.
    pub answer_to_end_s: Vec<(Choice, Vec<f64>)>,
    pub queue: Vec<QueueWait>,
    pub talk_s: Vec<f64>,
    pub acw_s: Vec<f64>,
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The customer's local hour of an instant.
pub fn local_hour(zone: Zone, utc_ms: i64) -> u32 {
    let offset = zone.offset_ms_at(rules::time::UnixMillis(utc_ms));
    (utc_ms.saturating_add(offset).rem_euclid(86_400_000) / 3_600_000) as u32
}

/// The local hour of an instant in the zone `text` names, read as contact lists read it
/// ([`Zone::parse`]: an IANA zone or a UTC offset). `None`: neither.
pub fn local_hour_in(text: &str, utc_ms: i64) -> Option<u32> {
    Zone::parse(text).map(|zone| local_hour(zone, utc_ms))
}

/// Counts and collects the samples of `contacts`, hours read in `zone` where a contact does
/// not say its own.
pub fn measure(contacts: &[Contact], zone: Zone) -> Measured {
    let outcome = Mix::of(&DialOutcome::ALL, contacts.iter().map(|c| c.outcome));
    // One pass: each contact's outcome filed under its local hour.
    let mut per_hour: [Vec<DialOutcome>; 24] = Default::default();
    for c in contacts {
        let h = c.local_hour.unwrap_or_else(|| local_hour(zone, c.launched));
        per_hour[h as usize % 24].push(c.outcome);
    }
    let by_hour = (0u32..)
        .zip(per_hour)
        .filter(|(_, outcomes)| !outcomes.is_empty())
        .map(|(h, outcomes)| (h, Mix::of(&DialOutcome::ALL, outcomes)))
        .collect();
    let choice = Mix::of(&CHOICES, contacts.iter().filter_map(|c| c.choice));
    let collect =
        |f: &dyn Fn(&Contact) -> Option<f64>| sorted(contacts.iter().filter_map(f).collect());
    Measured {
        contacts: contacts.len() as u64,
        amd_verdicts: contacts.iter().filter(|c| c.amd_verdict).count() as u64,
        outcome,
        outcome_by_hour: by_hour,
        choice,
        rang_s: collect(&|c| c.rang_s),
        answer_after_s: collect(&|c| c.answer_after_s),
        busy_after_s: collect(&|c| (c.outcome == DialOutcome::Busy).then_some(c.ended_after_s?)),
        failed_after_s: collect(&|c| {
            (c.outcome == DialOutcome::Failed).then_some(c.ended_after_s?)
        }),
        answer_to_queue_s: collect(&|c| c.answer_to_queue_s),
        answer_to_end_s: CHOICES
            .iter()
            .filter(|c| **c != Choice::Agent && **c != Choice::NoInput)
            .map(|&ch| {
                (
                    ch,
                    collect(&|c| (c.choice == Some(ch)).then_some(c.answer_to_end_s?)),
                )
            })
            .collect(),
        queue: contacts.iter().filter_map(|c| c.queue).collect(),
        talk_s: collect(&|c| c.talk_s),
        acw_s: collect(&|c| c.acw_s),
    }
}

/// The ring timeout the no-answer calls show: the median of how long they rang, to the
/// second, and the share of them within a second of it (low: the timeout changed during the
/// records, or the calls ended for other reasons).
pub fn ring_timeout(rang_s: &[f64]) -> Option<(f64, f64)> {
    if rang_s.is_empty() {
        return None;
    }
    let median = rang_s[rang_s.len() / 2].round();
    let near = rang_s.iter().filter(|r| (*r - median).abs() <= 1.0).count();
    Some((median, near as f64 / rang_s.len() as f64))
}

/// `n` quantiles of a sample of whole seconds, each value spread over the second it was
/// rounded from (so that a draw is not always a whole second), clipped to `[0, cap]`.
pub fn quantiles(sorted: &[f64], n: usize, cap: f64) -> Vec<f64> {
    if sorted.is_empty() {
        return Vec::new();
    }
    let m = sorted.len();
    (0..n)
        .map(|i| {
            let p = (i as f64 + 0.5) / n as f64;
            let pos = p * m as f64;
            let k = (pos.floor() as usize).min(m - 1);
            // Within the run of equal values around k, spread linearly over ±0.5 s.
            let v = sorted[k];
            let first = sorted.partition_point(|x| *x < v);
            let last = sorted.partition_point(|x| *x <= v);
            let within = (pos - first as f64) / (last - first).max(1) as f64;
            let whole = v.fract() == 0.0;
            let spread = if whole {
                v - 0.5 + within.clamp(0.0, 1.0)
            } else {
                v
            };
            (spread.clamp(0.0, cap) * 1000.0).round() / 1000.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_is_an_iana_name_with_its_daylight_saving_or_an_offset() {
        let winter = 1_768_485_600_000; // 2026-01-15T14:00:00Z
        let summer = 1_782_914_400_000; // 2026-07-01T14:00:00Z
        assert_eq!(local_hour_in("America/New_York", winter), Some(9));
        assert_eq!(local_hour_in("America/New_York", summer), Some(10));
        assert_eq!(local_hour_in("-05:00", summer), Some(9));
        assert_eq!(local_hour_in("UTC+1", winter), Some(15));
        assert_eq!(local_hour_in("Eastern", winter), None);
    }

    #[test]
    fn quantiles_spread_whole_seconds_over_their_second() {
        let q = quantiles(&[3.0, 3.0, 3.0, 3.0], 4, f64::MAX);
        assert!(q.iter().all(|x| (2.5..=3.5).contains(x)), "{q:?}");
        assert!(q.windows(2).all(|w| w[0] < w[1]), "{q:?}");
        let capped = quantiles(&[10.0, 30.0], 2, 22.0);
        assert_eq!(capped[1], 22.0);
    }
}
