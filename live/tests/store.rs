//! The campaign store: import, planning with compliance, state changes, recovery after a crash —
//! including a child process killed with SIGKILL at random moments.

use live::UnixMillis;
use live::contacts::Entry;
use live::outcome::Outcome;
use live::store::{AttemptState, Finish, Identity, Store, StoreError};
use live::time::HOUR_MS;
use live::token::client_token;
use rules::Rules;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const T0: UnixMillis = UnixMillis(1_772_449_200_000); // 2026-03-02T11:00:00Z

fn identity() -> Identity {
    Identity {
        campaign: "crash".into(),
        instance_id: "inst-1".into(),
    }
}

/// Calls allowed around the clock, retries after no answer 1 minute later, up to 2 attempts.
fn rules() -> Rules {
    ron::from_str(
        "(calling_window: (from: \"00:00\", to: \"24:00\"), retry: (no_answer: Some((after_min: 1.0, max_attempts: 2))))",
    )
    .unwrap()
}

fn entry(line: u64, phone: &str) -> Entry {
    Entry {
        line,
        phone: phone.into(),
        name: format!("customer {line}"),
        zone: Some(rules::zone::Zone::Fixed(0)),
        do_not_call: false,
        invalid: None,
    }
}

fn list(n: u64) -> Vec<Entry> {
    (0..n)
        .map(|i| entry(i + 2, &format!("+1415555{:04}", i)))
        .collect()
}

#[test]
fn import_is_idempotent_and_keeps_invalid_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, rec) = Store::open(&path, &identity(), true, T0).unwrap();
    assert!(rec.reissue.is_empty() && rec.awaiting_outcome.is_empty());
    let mut entries = list(3);
    entries.push(Entry {
        invalid: Some("bad".into()),
        ..entry(5, "555-0101")
    });
    let r = store.import(&entries, &HashSet::new(), T0).unwrap();
    assert_eq!(
        (r.added, r.updated, r.unchanged, r.invalid.len()),
        (4, 0, 0, 1)
    );
    let r = store.import(&entries, &HashSet::new(), T0).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (0, 0, 4));
    // The do-not-call file marks a customer; fixing the invalid line replaces it; dropping a
    // customer keeps it, unlisted.
    let dnc: HashSet<String> = ["+14155550001".to_string()].into();
    entries[3] = entry(5, "+14155550101");
    entries.remove(0);
    let r = store.import(&entries, &dnc, T0).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged, r.unlisted), (1, 1, 1, 1));
    assert_eq!(r.do_not_call, 1);
    let customers = store.customers().unwrap();
    assert_eq!(customers.len(), 4, "{customers:?}");
    assert!(customers.iter().all(|c| c.invalid.is_none()));
    let callable = store.next_callable(T0, &rules(), 10).unwrap();
    let phones: Vec<&str> = callable.iter().map(|c| c.phone.as_str()).collect();
    assert_eq!(phones, ["+14155550002", "+14155550101"]);
    let counts = store.counts_per_code().unwrap();
    assert_eq!(counts["dnc"], 1);
    assert_eq!(counts["-1"], 3);
    assert_eq!(counts["invalid"], 0);
}

#[test]
fn store_of_another_campaign_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    drop(Store::open(&path, &identity(), true, T0).unwrap());
    let other = Identity {
        campaign: "other".into(),
        instance_id: "inst-1".into(),
    };
    let e = Store::open(&path, &other, true, T0).err().unwrap();
    assert!(matches!(e, StoreError::Mismatch { .. }), "{e}");
    let missing = dir.path().join("none.sqlite");
    let e = Store::open(&missing, &identity(), false, T0).err().unwrap();
    assert!(e.to_string().contains("live import"), "{e}");
    assert!(!missing.exists());
}

#[test]
fn attempts_follow_the_rules_and_their_states() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, _) = Store::open(&path, &identity(), true, T0).unwrap();
    store.import(&list(1), &HashSet::new(), T0).unwrap();
    let rules = rules();
    let c = store.next_callable(T0, &rules, 1).unwrap().remove(0);
    let a = store.plan_attempt(c.id, T0, &rules).unwrap();
    assert_eq!(a.number, 1);
    assert_eq!(
        a.token,
        client_token("inst-1", "crash", &c.phone, 1).to_string()
    );
    // In flight: not callable, and a second plan is refused.
    assert!(store.next_callable(T0, &rules, 1).unwrap().is_empty());
    assert!(matches!(
        store.plan_attempt(c.id, T0, &rules),
        Err(StoreError::NotCallable { .. })
    ));
    // Finishing before placing is refused; placing twice with the same contact is a no-op.
    let finish = Finish {
        outcome: Outcome::NoAnswer,
        queued_at: None,
        connected_at: None,
        ended_at: T0.plus_ms(30_000),
        answer: Default::default(),
    };
    assert!(matches!(
        store.mark_finished(a.id, &finish, T0),
        Err(StoreError::BadTransition { .. })
    ));
    store.mark_placed(a.id, "contact-1", T0).unwrap();
    store.mark_placed(a.id, "contact-1", T0).unwrap();
    assert!(store.mark_placed(a.id, "contact-2", T0).is_err());
    assert!(store.mark_failed(a.id, "x", T0).is_err());
    store
        .mark_finished(a.id, &finish, T0.plus_ms(31_000))
        .unwrap();
    // Retry after one minute, then the maximum of 2 attempts.
    assert!(
        store
            .next_callable(T0.plus_ms(60_000), &rules, 1)
            .unwrap()
            .is_empty()
    );
    let later = T0.plus_ms(HOUR_MS);
    assert_eq!(store.next_callable(later, &rules, 1).unwrap().len(), 1);
    let b = store.plan_attempt(c.id, later, &rules).unwrap();
    assert_eq!(b.number, 2);
    assert_ne!(a.token, b.token);
    store
        .mark_failed(b.id, "DestinationNotAllowedException", later)
        .unwrap();
    assert!(
        store
            .next_callable(later.plus_ms(HOUR_MS), &rules, 1)
            .unwrap()
            .is_empty()
    );
    let s = &store.summaries().unwrap()[0];
    assert_eq!((s.code, s.attempts), ("-1", 2));
    assert_eq!(s.last_outcome.as_deref(), Some("failed"));
    assert_eq!(s.first_dialed_at, Some(T0));
    assert_eq!(
        store
            .finished_calls()
            .unwrap()
            .iter()
            .map(|c| c.outcome)
            .collect::<Vec<_>>(),
        [Outcome::NoAnswer]
    );
}

#[test]
fn final_code_is_the_last_reached_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, _) = Store::open(&path, &identity(), true, T0).unwrap();
    store.import(&list(1), &HashSet::new(), T0).unwrap();
    let mut rules = rules();
    rules.retry.machine = rules.retry.no_answer;
    let a = store.plan_attempt(1, T0, &rules).unwrap();
    store.mark_placed(a.id, "c1", T0).unwrap();
    let finish = |o| Finish {
        outcome: o,
        queued_at: None,
        connected_at: None,
        ended_at: T0,
        answer: Default::default(),
    };
    store
        .mark_finished(a.id, &finish(Outcome::Machine), T0)
        .unwrap();
    let t = T0.plus_ms(HOUR_MS);
    let b = store.plan_attempt(1, t, &rules).unwrap();
    store.mark_placed(b.id, "c2", t).unwrap();
    store
        .mark_finished(b.id, &finish(Outcome::NoAnswer), t)
        .unwrap();
    let s = &store.summaries().unwrap()[0];
    assert_eq!(s.code, "-2", "a machine answered once: not -1");
    assert_eq!(s.last_outcome.as_deref(), Some("no_answer"));
}

#[test]
fn planned_attempt_is_returned_after_reopening_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, _) = Store::open(&path, &identity(), true, T0).unwrap();
    store.import(&list(2), &HashSet::new(), T0).unwrap();
    let a = store.plan_attempt(1, T0, &rules()).unwrap();
    let b = store.plan_attempt(2, T0, &rules()).unwrap();
    store.mark_placed(b.id, "contact-b", T0).unwrap();
    drop(store); // as a crash would, right after the commits
    let (mut store, rec) = Store::open(&path, &identity(), true, T0).unwrap();
    assert_eq!(rec.reissue.len(), 1);
    assert_eq!(rec.reissue[0], a);
    assert_eq!(rec.awaiting_outcome.len(), 1);
    assert_eq!(rec.awaiting_outcome[0].token, b.token);
    // Never a new attempt for it while it is unconfirmed.
    assert!(
        store
            .plan_attempt(1, T0.plus_ms(HOUR_MS), &rules())
            .is_err()
    );
    assert_eq!(store.in_flight().unwrap().len(), 2);
    store.mark_placed(a.id, "contact-a", T0).unwrap();
}

// ---- crash safety -------------------------------------------------------------------------

const CHILD_ENV: &str = "LIVE_STORE_CRASH_CHILD";
const CUSTOMERS: u64 = 300;

/// The contact id the fake Connect answers for a token: the same token, the same contact.
fn contact_for(token: &str) -> String {
    format!("contact-{token}")
}

/// What the child does: a dialer loop against a fake Connect that appends every dial request
/// (its token) to `dials.log`. It plans (commits), dials, records placed, then the outcome: the
/// first attempt to even customers goes unanswered (retried), every other call reaches an agent.
fn child(dir: &Path) {
    let store_path = dir.join("s.sqlite");
    let (mut store, recovery) = Store::open(&store_path, &identity(), true, T0).unwrap();
    store.import(&list(CUSTOMERS), &HashSet::new(), T0).unwrap();
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("dials.log"))
        .unwrap();
    let mut dial = |token: &str| {
        log.write_all(format!("{token}\n").as_bytes()).unwrap();
        contact_for(token)
    };
    let outcome = |customer: i64, number: u32| {
        if number == 1 && customer % 2 == 0 {
            Outcome::NoAnswer
        } else {
            Outcome::Agent
        }
    };
    let finish = |o| Finish {
        outcome: o,
        queued_at: None,
        connected_at: None,
        ended_at: T0,
        answer: Default::default(),
    };
    // The clock: an hour past the latest planned attempt, so retries are due.
    let mut now = store
        .attempts()
        .unwrap()
        .iter()
        .map(|a| a.planned_at)
        .max()
        .unwrap_or(T0)
        .plus_ms(HOUR_MS);
    for a in recovery.reissue {
        let contact = dial(&a.token);
        store.mark_placed(a.id, &contact, now).unwrap();
        let o = outcome(a.customer_id, a.number);
        store.mark_finished(a.id, &finish(o), now).unwrap();
    }
    for a in recovery.awaiting_outcome {
        let o = outcome(a.customer_id, a.number);
        store.mark_finished(a.id, &finish(o), now).unwrap();
    }
    let rules = rules();
    loop {
        let batch = store.next_callable(now, &rules, 7).unwrap();
        if batch.is_empty() {
            break;
        }
        for c in batch {
            let a = store.plan_attempt(c.id, now, &rules).unwrap();
            let contact = dial(&a.token);
            store.mark_placed(a.id, &contact, now).unwrap();
            let o = outcome(c.id, a.number);
            store.mark_finished(a.id, &finish(o), now).unwrap();
        }
        now = now.plus_ms(HOUR_MS);
    }
}

#[test]
fn crash_child_entry() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        child(Path::new(&dir));
    }
}

fn spawn_child(dir: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child_entry",
            "--test-threads",
            "1",
            "--nocapture",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A small xorshift seeded from the clock; the seed is printed so a failure can be replayed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn dial_log(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("dials.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Checks that hold at any moment, crash or not.
fn check_invariants(dir: &Path) -> (usize, usize) {
    let (store, recovery) = Store::open(&dir.join("s.sqlite"), &identity(), true, T0).unwrap();
    let attempts = store.attempts().unwrap();
    let customers: HashMap<i64, String> = store
        .customers()
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.phone))
        .collect();
    let mut seen = HashSet::new();
    let mut tokens = HashSet::new();
    for a in &attempts {
        assert!(
            seen.insert((a.customer_id, a.number)),
            "attempt duplicated: {a:?}"
        );
        let phone = &customers[&a.customer_id];
        assert_eq!(
            a.token,
            client_token("inst-1", "crash", phone, a.number).to_string()
        );
        tokens.insert(a.token.clone());
        match &a.state {
            AttemptState::Placed { contact_id } | AttemptState::Finished { contact_id, .. } => {
                assert_eq!(contact_id, &contact_for(&a.token));
            }
            AttemptState::Planned => {
                assert!(
                    recovery
                        .reissue
                        .iter()
                        .any(|r| r.id == a.id && r.token == a.token),
                    "planned attempt not returned for re-issue: {a:?}"
                );
            }
            AttemptState::Failed { .. } => panic!("no dial fails here: {a:?}"),
        }
        // Attempt n+1 only after attempt n finished.
        if a.number > 1 {
            assert!(seen.contains(&(a.customer_id, a.number - 1)));
        }
    }
    assert_eq!(
        recovery.reissue.len(),
        attempts
            .iter()
            .filter(|a| a.state == AttemptState::Planned)
            .count()
    );
    // Every dial Connect saw was written to the store first.
    let log = dial_log(dir);
    for t in &log {
        assert!(
            tokens.contains(t),
            "dialed a token the store does not know: {t}"
        );
    }
    let distinct: HashSet<&String> = log.iter().collect();
    (attempts.len(), distinct.len())
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut kills = 0;
    let mut runs = 0;
    while kills < 6 && runs < 40 {
        runs += 1;
        let delay = Duration::from_millis(15 + next(&mut seed) % 250);
        let mut child = spawn_child(dir.path());
        let started = Instant::now();
        let mut exited = false;
        while started.elapsed() < delay {
            if child.try_wait().unwrap().is_some() {
                exited = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if !exited {
            child.kill().unwrap(); // SIGKILL on Unix
            kills += 1;
        }
        child.wait().unwrap();
        let (attempts, dialed) = check_invariants(dir.path());
        println!(
            "run {runs}: killed after {delay:?}: {}, {attempts} attempts, {dialed} dialed",
            !exited
        );
        if exited {
            // The child finished the whole list before the kill: start over on a fresh store so
            // that the remaining kills land mid-campaign.
            for f in ["s.sqlite", "s.sqlite-wal", "s.sqlite-shm", "dials.log"] {
                let _ = std::fs::remove_file(dir.path().join(f));
            }
        }
    }
    assert!(kills >= 5, "only {kills} kills landed in {runs} runs");
    // Run to completion, then everything must be finished exactly once.
    let status = spawn_child(dir.path()).wait().unwrap();
    assert!(status.success());
    let (attempts, distinct_dialed) = check_invariants(dir.path());
    let (store, recovery) =
        Store::open(&dir.path().join("s.sqlite"), &identity(), true, T0).unwrap();
    assert!(recovery.reissue.is_empty() && recovery.awaiting_outcome.is_empty());
    let expected = CUSTOMERS + CUSTOMERS / 2; // even customers were called twice
    assert_eq!(attempts as u64, expected);
    assert_eq!(
        distinct_dialed as u64, expected,
        "a dial was lost or duplicated"
    );
    let counts = store.counts_per_code().unwrap();
    assert_eq!(counts["1"], CUSTOMERS, "{counts:?}");
}

/// A store the first version wrote (schema 1: UTC offsets, no answer facts) opens as a version-2
/// store: each offset becomes the customer's zone, its history is intact, and the new columns
/// take the next finished call's answer facts.
#[test]
fn a_version_1_store_is_migrated_keeping_zones_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("fixtures/store-v1.sql"))
            .unwrap();
    }
    let (store, recovery) = Store::open(&path, &identity(), false, T0).unwrap();
    assert!(recovery.reissue.is_empty() && recovery.awaiting_outcome.is_empty());
    let customers = store.customers().unwrap();
    let zones: Vec<_> = customers.iter().map(|c| c.zone).collect();
    use rules::zone::Zone;
    assert_eq!(
        zones,
        [
            Some(Zone::Fixed(-5 * HOUR_MS)),
            Some(Zone::Fixed(5 * HOUR_MS + 30 * 60_000)),
            None
        ]
    );
    let attempts = store.attempts().unwrap();
    assert_eq!(attempts.len(), 1);
    assert!(matches!(
        &attempts[0].state,
        AttemptState::Finished {
            outcome: Outcome::NoAnswer,
            ..
        }
    ));
    // The schema is version 2 now: reopening does not migrate again, and new facts are kept.
    drop(store);
    let (mut store, _) = Store::open(&path, &identity(), false, T0).unwrap();
    let rules = rules();
    let later = T0.plus_ms(HOUR_MS);
    let a = store.plan_attempt(2, later, &rules).unwrap();
    store.mark_placed(a.id, "contact-2", later).unwrap();
    let finish = Finish {
        outcome: Outcome::Machine,
        queued_at: None,
        connected_at: None,
        ended_at: later.plus_ms(20_000),
        answer: live::store::AnswerFacts {
            initiated_at: Some(later),
            answered_at: Some(later.plus_ms(9_000)),
            disconnect_reason: Some("CONTACT_FLOW_DISCONNECT".into()),
            machine_detection: Some("VOICEMAIL_BEEP".into()),
            result_code: None,
        },
    };
    store
        .mark_finished(a.id, &finish, later.plus_ms(21_000))
        .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("SELECT schema_version FROM campaign", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    let kept: (Option<i64>, Option<String>, Option<String>) = conn
        .query_row(
            "SELECT answered_at_ms, disconnect_reason, machine_detection FROM attempts WHERE contact_id = 'contact-2'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        kept,
        (
            Some(later.0 + 9_000),
            Some("CONTACT_FLOW_DISCONNECT".into()),
            Some("VOICEMAIL_BEEP".into())
        )
    );
}
