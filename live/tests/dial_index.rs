//! The store's callable index against a scan of every customer through the rulebook, and its
//! order: the simulator's (due retries first, then the list).

use live::UnixMillis;
use live::contacts::Entry;
use live::outcome::Outcome;
use live::store::{Finish, Identity, Store};
use rules::Rules;
use std::collections::HashSet;

const T0: UnixMillis = UnixMillis(1_772_449_200_000); // 2026-03-02T11:00:00Z
const HOUR: i64 = 3_600_000;

fn identity() -> Identity {
    Identity {
        campaign: "index".into(),
        instance_id: "inst-1".into(),
    }
}

/// 08:00 to 21:00 local; no answer retried after 1 minute, busy after 30, up to 3 attempts.
fn rules() -> Rules {
    ron::from_str(
        "(retry: (no_answer: Some((after_min: 1.0, max_attempts: 3)), busy: Some((after_min: 30.0, max_attempts: 3)), failed: Some((after_min: 5.0, max_attempts: 2))))",
    )
    .unwrap()
}

fn entry(line: u64, offset_h: i64) -> Entry {
    Entry {
        line,
        phone: format!("+1415555{line:04}"),
        name: format!("customer {line}"),
        zone: Some(rules::zone::Zone::Fixed(offset_h * HOUR)),
        do_not_call: false,
        invalid: None,
    }
}

fn finish(outcome: Outcome, at: UnixMillis) -> Finish {
    Finish {
        outcome,
        queued_at: None,
        connected_at: None,
        ended_at: at,
        answer: Default::default(),
    }
}

#[test]
fn a_due_retry_goes_before_an_earlier_listed_customer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = Store::open(&dir.path().join("s.sqlite"), &identity(), true, T0).unwrap();
    // Customer 2's window (UTC-4) opens at 12:00Z; customer 3's (UTC) is open at 11:00Z.
    store
        .import(&[entry(2, -4), entry(3, 0)], &HashSet::new(), T0)
        .unwrap();
    let rules = rules();
    let first = store.next_to_dial(T0, &rules).unwrap().unwrap();
    assert_eq!(first.line, 3);
    let a = store.plan_attempt(first.id, T0, &rules).unwrap();
    store.mark_placed(a.id, "c-1", T0).unwrap();
    let ended = T0.plus_ms(30_000);
    store
        .mark_finished(a.id, &finish(Outcome::NoAnswer, ended), ended)
        .unwrap();
    let later = T0.plus_ms(2 * HOUR);
    let next = store.next_to_dial(later, &rules).unwrap().unwrap();
    assert_eq!(next.line, 3, "the due retry first, then the list");
    assert_eq!(
        store.pacing_view(later, &rules).unwrap(),
        store.scan_view(later, &rules).unwrap()
    );
}

#[test]
fn the_index_counts_as_the_scan_does_through_a_campaign_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, _) = Store::open(&path, &identity(), true, T0).unwrap();
    let offsets = [0, 9, -5, 0, 1, -8, 9, 0, 3, -5, 0, 9];
    let mut entries: Vec<Entry> = offsets
        .iter()
        .enumerate()
        .map(|(i, &o)| entry(i as u64 + 2, o))
        .collect();
    entries[4].do_not_call = true;
    store.import(&entries, &HashSet::new(), T0).unwrap();
    let rules = rules();
    let outcomes = [
        Outcome::NoAnswer,
        Outcome::Busy,
        Outcome::Agent,
        Outcome::Failed,
        Outcome::NoAnswer,
        Outcome::CallBack,
        Outcome::NotInterested,
    ];
    let mut open: Vec<(i64, UnixMillis)> = Vec::new();
    let mut now = T0;
    for step in 0..400u64 {
        now = now.plus_ms(7 * 60_000);
        assert_eq!(
            store.pacing_view(now, &rules).unwrap(),
            store.scan_view(now, &rules).unwrap(),
            "step {step}"
        );
        // Calls in flight end after a few steps; some dials are refused by Connect.
        let (ending, staying): (Vec<_>, Vec<_>) = open
            .into_iter()
            .partition(|&(id, at)| now.0 - at.0 > (id % 3 + 1) * 7 * 60_000);
        open = staying;
        for (id, _) in ending {
            let outcome = outcomes[(id as usize + step as usize) % outcomes.len()];
            store
                .mark_finished(id, &finish(outcome, now.plus_ms(-1_000)), now)
                .unwrap();
        }
        for _ in 0..step % 3 {
            let Some(c) = store.next_to_dial(now, &rules).unwrap() else {
                break;
            };
            let a = store
                .plan_attempt(c.id, now, &rules)
                .expect("the index offers only customers the rulebook allows");
            if step % 11 == 0 {
                store.mark_failed(a.id, "refused", now).unwrap();
            } else {
                store
                    .mark_placed(a.id, &format!("c-{}", a.id), now)
                    .unwrap();
                open.push((a.id, now));
            }
        }
        if step % 50 == 49 {
            // A crash: the next run builds the index again, with calls still in flight.
            drop(store);
            store = Store::open(&path, &identity(), false, now).unwrap().0;
        }
    }
}

/// A customer listed by IANA zone is judged on the clock of the dial's day: 12:30 UTC is 07:30
/// in New York on Saturday 7 March 2026 (winter clock) and 08:30 on Sunday the 8th (summer),
/// and the index's next opening follows the change.
#[test]
fn a_named_zone_is_callable_on_the_clock_of_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let saturday = UnixMillis(1_772_886_600_000); // 2026-03-07T12:30:00Z
    assert_eq!(saturday.rfc3339(), "2026-03-07T12:30:00Z");
    let (mut store, _) =
        Store::open(&dir.path().join("s.sqlite"), &identity(), true, saturday).unwrap();
    let mut new_york = entry(2, 0);
    new_york.zone = rules::zone::Zone::parse("America/New_York");
    store
        .import(&[new_york], &HashSet::new(), saturday)
        .unwrap();
    let rules = rules();
    assert!(store.next_to_dial(saturday, &rules).unwrap().is_none());
    let view = store.pacing_view(saturday, &rules).unwrap();
    assert_eq!(view, store.scan_view(saturday, &rules).unwrap());
    assert_eq!(view.next_opening, Some(saturday.plus_ms(HOUR / 2)));
    // Saturday 22:00 in New York: the next opening is Sunday 08:00 on the summer clock.
    let saturday_night = saturday.plus_ms(14 * HOUR + 30 * 60_000);
    let view = store.pacing_view(saturday_night, &rules).unwrap();
    assert_eq!(view, store.scan_view(saturday_night, &rules).unwrap());
    assert_eq!(
        view.next_opening.map(|t| t.rfc3339()).as_deref(),
        Some("2026-03-08T12:00:00Z")
    );
    let sunday = saturday.plus_ms(24 * HOUR);
    let c = store
        .next_to_dial(sunday, &rules)
        .unwrap()
        .expect("08:30 on Sunday");
    assert_eq!(c.zone, rules::zone::Zone::parse("America/New_York"));
}
