//! The dialing loop in virtual time, through a scripted switchboard: crashes at every step, lost
//! answers, throttling, a switchboard that never answers, and re-sent dials under the rules in
//! force when they are re-sent. Each runs a campaign of hours in milliseconds.

use live::UnixMillis;
use live::config::{self, Campaign};
use live::connect::{ApiError, QueueMetrics};
use live::contact::ContactView;
use live::contacts::Entry;
use live::dialer::machine::UNREACHABLE_TRIES;
use live::dialer::{
    Answer, Clock, End, Machine, Options, RunError, StartRequest, Step, Switchboard, VirtualClock,
    shell,
};
use live::events::{ContactEvent, EventKind};
use live::store::{AttemptState, Identity, RunLock, Store, StoreError};
use live::time::{HOUR_MS, MINUTE_MS};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use strategies::AgentCounts;

/// 2026-03-02T08:00:00Z, a Monday.
const T0: UnixMillis = UnixMillis(1_772_438_400_000);

fn identity() -> Identity {
    Identity {
        campaign: "machine".into(),
        instance_id: "inst-1".into(),
    }
}

/// A campaign with `window` (UTC, every customer at offset 0) and `strategy`.
fn campaign(window: &str, strategy: &str, concurrent: u32) -> Campaign {
    let text = format!(
        r#"Campaign(
    name: "machine",
    instance_id: "inst-1",
    contact_flow_id: "flow-1",
    queue_id: "queue-1",
    source_phone_number: "+14155550100",
    region: "us-east-1",
    contacts: "contacts.csv",
    strategy: {strategy},
    rules: (
        calling_window: {window},
        retry: (
            no_answer: Some((after_min: 10.0, max_attempts: 2)),
            busy: Some((after_min: 5.0, max_attempts: 2)),
            machine: None, failed: None, call_back: None, abandoned: None,
        ),
    ),
    quotas: (max_concurrent_calls: {concurrent}),
    store: "s.sqlite",
)"#
    );
    config::parse(&text, Path::new("campaign.ron")).unwrap()
}

fn phone(i: u64) -> String {
    format!("+1415555{i:04}")
}

fn entries(n: u64) -> Vec<Entry> {
    (0..n)
        .map(|i| Entry {
            line: i + 2,
            phone: phone(i),
            name: format!("customer {i}"),
            zone: Some(rules::zone::Zone::Fixed(0)),
            do_not_call: false,
            invalid: None,
        })
        .collect()
}

/// How the scripted contact centre answers one call, by its place in the order of calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    NoAnswer,
    Busy,
    /// A person presses 1 and talks to an agent.
    Agent,
}

/// A contact centre in the test's process: every third call reaches an agent, one in three is
/// busy, the rest ring out. A ClientToken seen before returns its contact and places nothing.
struct Script {
    clock: VirtualClock,
    events: bool,
    /// Every request received: the time, and the request.
    requests: Vec<(UnixMillis, StartRequest)>,
    /// The contact of each token, and each contact's start and fate.
    by_token: HashMap<String, String>,
    contacts: BTreeMap<String, (UnixMillis, Fate, String)>,
    delivered: HashSet<(String, u8)>,
    /// Faults: every Nth start is throttled; every Nth placed call's answer is lost.
    throttle_every: u64,
    lose_answer_every: u64,
    unreachable: bool,
    starts: u64,
}

impl Script {
    fn new(clock: VirtualClock, events: bool) -> Script {
        Script {
            clock,
            events,
            requests: Vec::new(),
            by_token: HashMap::new(),
            contacts: BTreeMap::new(),
            delivered: HashSet::new(),
            throttle_every: 0,
            lose_answer_every: 0,
            unreachable: false,
            starts: 0,
        }
    }

    fn unreachable() -> ApiError {
        ApiError::Unreachable {
            detail: "connection refused".into(),
        }
    }

    /// The view of a contact at `now`.
    fn view(&self, id: &str, now: UnixMillis) -> Option<ContactView> {
        let (start, fate, _) = self.contacts.get(id)?;
        let at = |ms: i64| Some(start.plus_ms(ms)).filter(|t| *t <= now);
        let mut v = ContactView {
            initiated_at: Some(*start),
            ..ContactView::default()
        };
        match fate {
            Fate::NoAnswer => {
                v.disconnected_at = at(30_000);
                v.disconnect_reason = v.disconnected_at.map(|_| "TELECOM_UNANSWERED".into());
            }
            Fate::Busy => {
                v.disconnected_at = at(5_000);
                v.disconnect_reason = v.disconnected_at.map(|_| "TELECOM_BUSY".into());
            }
            Fate::Agent => {
                v.connected_to_system_at = at(8_000);
                v.enqueued_at = at(20_000);
                v.agent_connected_at = at(21_000);
                v.disconnected_at = at(200_000);
                v.disconnect_reason = v.disconnected_at.map(|_| "CUSTOMER_DISCONNECT".into());
            }
        }
        Some(v)
    }

    /// Calls placed per token (a second call for one token would be a duplicate dial).
    fn calls_per_token(&self) -> HashMap<&str, usize> {
        let mut n = HashMap::new();
        for token in self.by_token.keys() {
            *n.entry(token.as_str()).or_default() += 1;
        }
        n
    }
}

impl Switchboard for Script {
    async fn start(&mut self, request: &StartRequest) -> Result<String, ApiError> {
        if self.unreachable {
            return Err(Script::unreachable());
        }
        let now = self.clock.now();
        self.requests.push((now, request.clone()));
        self.starts += 1;
        if self.throttle_every > 0 && self.starts.is_multiple_of(self.throttle_every) {
            return Err(ApiError::Throttled {
                code: "ThrottlingException".into(),
            });
        }
        let id = match self.by_token.get(&request.token) {
            Some(id) => id.clone(),
            None => {
                let id = format!("c-{}", self.contacts.len() + 1);
                let fate = match self.contacts.len() % 3 {
                    0 => Fate::Agent,
                    1 => Fate::Busy,
                    _ => Fate::NoAnswer,
                };
                self.contacts
                    .insert(id.clone(), (now, fate, request.phone.clone()));
                self.by_token.insert(request.token.clone(), id.clone());
                if self.lose_answer_every > 0
                    && (self.contacts.len() as u64).is_multiple_of(self.lose_answer_every)
                {
                    return Err(ApiError::Ambiguous {
                        detail: "HTTP 500 after the call was placed".into(),
                    });
                }
                id
            }
        };
        Ok(id)
    }

    async fn metrics(&mut self) -> Result<QueueMetrics, ApiError> {
        if self.unreachable {
            return Err(Script::unreachable());
        }
        let now = self.clock.now();
        let talking = self
            .contacts
            .keys()
            .filter_map(|id| self.view(id, now))
            .filter(|v| v.agent_connected_at.is_some() && v.disconnected_at.is_none())
            .count() as u32;
        Ok(QueueMetrics {
            agents: AgentCounts {
                staffed: 3,
                available: 3u32.saturating_sub(talking),
                on_contact: talking.min(3),
                after_contact_work: 0,
            },
            in_queue: 0,
            oldest_in_queue_ms: 0,
            snapshot_at: Some(now),
        })
    }

    async fn describe(&mut self, contact_id: &str) -> Result<ContactView, ApiError> {
        if self.unreachable {
            return Err(Script::unreachable());
        }
        self.view(contact_id, self.clock.now())
            .ok_or_else(|| ApiError::Refused {
                code: "ResourceNotFoundException".into(),
                message: "no such contact".into(),
            })
    }

    async fn attributes(&mut self, _contact_id: &str) -> Result<HashMap<String, String>, ApiError> {
        if self.unreachable {
            return Err(Script::unreachable());
        }
        Ok(HashMap::new())
    }

    fn has_events(&self) -> bool {
        self.events
    }

    async fn events(&mut self) -> Result<Vec<ContactEvent>, ApiError> {
        let now = self.clock.now();
        let mut out = Vec::new();
        let ids: Vec<String> = self.contacts.keys().cloned().collect();
        for id in ids {
            let v = self.view(&id, now).expect("known contact");
            let stages = [
                (0u8, Some(EventKind::Initiated), v.initiated_at),
                (
                    1,
                    Some(EventKind::ConnectedToSystem),
                    v.connected_to_system_at,
                ),
                (2, Some(EventKind::Queued), v.enqueued_at),
                (3, Some(EventKind::ConnectedToAgent), v.agent_connected_at),
                (4, Some(EventKind::Disconnected), v.disconnected_at),
            ];
            for (n, kind, at) in stages {
                if at.is_some() && self.delivered.insert((id.clone(), n)) {
                    out.push(ContactEvent {
                        contact_id: id.clone(),
                        kind,
                        at,
                        seen: v.clone(),
                    });
                }
            }
        }
        Ok(out)
    }
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

/// Drives `machine` to its end on `clock` through `script`.
fn drive(
    machine: Machine,
    clock: &VirtualClock,
    script: &mut Script,
) -> Result<live::dialer::Report, RunError> {
    let (_tx, mut rx) = tokio::sync::watch::channel(false);
    block_on(shell::drive(machine, clock, script, None, &mut rx))
}

fn open(path: &Path, now: UnixMillis) -> (Store, live::store::Recovery) {
    Store::open(path, &identity(), true, now).unwrap()
}

fn options(events: bool) -> Options {
    Options {
        events,
        ..Options::default()
    }
}

/// Every request was sent inside the calling window `from_h..to_h` (UTC).
fn all_inside_window(script: &Script, from_h: i64, to_h: i64) {
    for (at, r) in &script.requests {
        let hour = at.0.rem_euclid(24 * HOUR_MS) / HOUR_MS;
        assert!(
            (from_h..to_h).contains(&hour),
            "{} attempt {} sent at {} outside {from_h}:00–{to_h}:00",
            r.phone,
            r.number,
            at.rfc3339()
        );
    }
}

/// The store's final state agrees with the calls the script placed: each placed call is one
/// finished attempt, and no token placed two calls.
fn no_duplicate_no_loss(store: &Store, script: &Script) {
    for (token, n) in script.calls_per_token() {
        assert_eq!(n, 1, "token {token} placed {n} calls");
    }
    let attempts = store.attempts().unwrap();
    let mut finished = HashMap::new();
    for a in &attempts {
        if let AttemptState::Finished { contact_id, .. } = &a.state {
            finished.insert(contact_id.clone(), a.token.clone());
        }
    }
    for (token, contact) in &script.by_token {
        assert_eq!(
            finished.get(contact),
            Some(token),
            "contact {contact} (token {token}) was placed but its outcome is not in the store"
        );
    }
}

#[test]
fn a_whole_campaign_through_events_needs_no_describe() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, recovery) = open(&path, T0);
    store.import(&entries(60), &HashSet::new(), T0).unwrap();
    let clock = VirtualClock::new(T0);
    let mut script = Script::new(clock.clone(), true);
    let c = campaign("(from: \"08:00\", to: \"20:00\")", "Progressive()", 10);
    let m = Machine::new(c, store, recovery, options(true), T0).unwrap();
    let report = drive(m, &clock, &mut script).unwrap();
    assert_eq!(report.end, Some(End::ListDone));
    assert_eq!(report.described, 0, "{report:?}");
    assert_eq!(report.finished, report.placed);
    assert_eq!(report.from_events, report.finished);
    let (store, recovery) = open(&path, clock.now());
    assert!(recovery.reissue.is_empty() && recovery.awaiting_outcome.is_empty());
    no_duplicate_no_loss(&store, &script);
    all_inside_window(&script, 8, 20);
    // Agents were the limit: at most 3 with an agent at once, all 60 customers called.
    let customers: HashSet<_> = script.requests.iter().map(|(_, r)| r.customer).collect();
    assert_eq!(customers.len(), 60);
}

#[test]
fn without_events_outcomes_come_from_describe_contact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, recovery) = open(&path, T0);
    store.import(&entries(20), &HashSet::new(), T0).unwrap();
    let clock = VirtualClock::new(T0);
    let mut script = Script::new(clock.clone(), false);
    let c = campaign("(from: \"08:00\", to: \"20:00\")", "Progressive()", 10);
    let m = Machine::new(c, store, recovery, options(false), T0).unwrap();
    let report = drive(m, &clock, &mut script).unwrap();
    assert_eq!(report.end, Some(End::ListDone));
    assert!(report.described > 0);
    assert_eq!(report.from_events, 0);
    no_duplicate_no_loss(&open(&path, clock.now()).0, &script);
}

/// A crash (the loop dropped without a word) after every number of steps from 1 to 80, with
/// lost answers and throttling, then a restart: never a second call for a token, never a call
/// whose outcome is not recorded, never a call outside the window.
#[test]
fn a_crash_at_any_step_loses_nothing_and_dials_nobody_twice() {
    for crash_after in 1..=80usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let (mut store, recovery) = open(&path, T0);
        store.import(&entries(12), &HashSet::new(), T0).unwrap();
        let clock = VirtualClock::new(T0);
        let mut script = Script::new(clock.clone(), crash_after % 2 == 0);
        script.throttle_every = 4;
        script.lose_answer_every = 3;
        let c = campaign(
            "(from: \"08:00\", to: \"20:00\")",
            "FixedRatio(ratio: 2.0)",
            6,
        );
        let events = script.events;
        let mut m = Machine::new(c.clone(), store, recovery, options(events), T0).unwrap();
        let mut steps = 0;
        let crashed = block_on(async {
            loop {
                match m.next(clock.now()).unwrap() {
                    Step::Done(_) => return false,
                    Step::Wait(t) => clock.sleep_until(t).await,
                    Step::Do(action) => {
                        steps += 1;
                        let answer = match action {
                            live::dialer::Action::ReadMetrics => {
                                Answer::Metrics(script.metrics().await)
                            }
                            live::dialer::Action::ReadAgentStates => {
                                Answer::AgentStates(script.agent_states().await)
                            }
                            live::dialer::Action::Start(r) => {
                                Answer::Started(script.start(&r).await)
                            }
                            live::dialer::Action::Describe { contact_id } => {
                                Answer::Described(script.describe(&contact_id).await)
                            }
                            live::dialer::Action::ReadAttributes { contact_id } => {
                                Answer::Attributes(script.attributes(&contact_id).await)
                            }
                            live::dialer::Action::ReadEvents => {
                                Answer::Events(script.events().await)
                            }
                            live::dialer::Action::WriteTable { .. } => Answer::TableWritten(Ok(())),
                        };
                        if steps == crash_after {
                            // The process dies with the answer on the wire.
                            return true;
                        }
                        m.answer(clock.now(), answer).unwrap();
                    }
                }
            }
        });
        drop(m);
        if crashed {
            // The events of the first life were lost with the process.
            script.delivered.clear();
            clock_advance(&clock, 90_000);
            let (store, recovery) = open(&path, clock.now());
            let m = Machine::new(c, store, recovery, options(events), clock.now()).unwrap();
            let report = drive(m, &clock, &mut script).unwrap();
            assert_eq!(report.end, Some(End::ListDone), "crash after {crash_after}");
        }
        let store = open(&path, clock.now()).0;
        no_duplicate_no_loss(&store, &script);
        all_inside_window(&script, 8, 20);
    }
}

fn clock_advance(clock: &VirtualClock, ms: i64) {
    block_on(clock.sleep_until(clock.now().plus_ms(ms)));
}

/// Plans one attempt to customer 0 at `at` and leaves it planned, as a crash between the plan
/// and the answer does.
fn crash_with_a_planned_attempt(path: &Path, at: UnixMillis, c: &Campaign) -> String {
    let (mut store, _) = open(path, at);
    store.import(&entries(3), &HashSet::new(), at).unwrap();
    let customer = store.customers().unwrap()[0].id;
    let attempt = store.plan_attempt(customer, at, &c.rules).unwrap();
    attempt.token
}

#[test]
fn a_planned_call_is_not_sent_again_once_its_number_is_on_the_do_not_call_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let c = campaign("(from: \"08:00\", to: \"20:00\")", "Progressive()", 5);
    let at = T0.plus_ms(HOUR_MS);
    let token = crash_with_a_planned_attempt(&path, at, &c);
    // Between the crash and the restart the number goes on the do-not-call list.
    let (mut store, recovery) = open(&path, at.plus_ms(MINUTE_MS));
    store
        .import(
            &entries(3),
            &HashSet::from([phone(0)]),
            at.plus_ms(MINUTE_MS),
        )
        .unwrap();
    assert_eq!(recovery.reissue.len(), 1);
    let clock = VirtualClock::new(at.plus_ms(MINUTE_MS));
    let mut script = Script::new(clock.clone(), true);
    let m = Machine::new(c, store, recovery, options(true), clock.now()).unwrap();
    let report = drive(m, &clock, &mut script).unwrap();
    assert_eq!(report.withheld, 1);
    assert!(
        script
            .requests
            .iter()
            .all(|(_, r)| r.phone != phone(0) && r.token != token),
        "the number on the do-not-call list was dialed"
    );
    let store = open(&path, clock.now()).0;
    let a = &store.attempts().unwrap()[0];
    assert!(
        matches!(&a.state, AttemptState::Failed { error } if error.contains("not sent again")),
        "{a:?}"
    );
}

#[test]
fn a_planned_call_waits_for_its_window_to_open_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let c = campaign("(from: \"08:00\", to: \"14:00\")", "Progressive()", 5);
    // Planned at 13:53:30; the process comes back at 14:00:31, after the window closed.
    let planned = T0.plus_ms(5 * HOUR_MS + 53 * MINUTE_MS + 30_000);
    let token = crash_with_a_planned_attempt(&path, planned, &c);
    let restart = T0.plus_ms(6 * HOUR_MS + 31_000);
    let (store, recovery) = open(&path, restart);
    let clock = VirtualClock::new(restart);
    let mut script = Script::new(clock.clone(), true);
    let m = Machine::new(c, store, recovery, options(true), restart).unwrap();
    let report = drive(m, &clock, &mut script).unwrap();
    assert_eq!(report.end, Some(End::ListDone));
    all_inside_window(&script, 8, 14);
    let (at, _) = script
        .requests
        .iter()
        .find(|(_, r)| r.token == token)
        .expect("re-sent when the window opened");
    assert!(
        *at >= T0.plus_ms(24 * HOUR_MS),
        "re-sent at {}",
        at.rfc3339()
    );
    no_duplicate_no_loss(&open(&path, clock.now()).0, &script);
}

#[test]
fn a_switchboard_that_never_answers_ends_the_run_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, recovery) = open(&path, T0);
    store.import(&entries(5), &HashSet::new(), T0).unwrap();
    let clock = VirtualClock::new(T0);
    let mut script = Script::new(clock.clone(), false);
    script.unreachable = true;
    let c = campaign("(from: \"08:00\", to: \"20:00\")", "Progressive()", 5);
    let m = Machine::new(c, store, recovery, options(false), T0).unwrap();
    match drive(m, &clock, &mut script) {
        Err(RunError::Unreachable { tries, .. }) => assert!(tries >= UNREACHABLE_TRIES),
        other => panic!("{other:?}"),
    }
    assert!(
        clock.now().0 - T0.0 <= 2 * MINUTE_MS,
        "gave up only after {} s",
        (clock.now().0 - T0.0) / 1_000
    );
}

#[test]
fn a_campaign_that_cannot_dial_before_its_stop_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut store, recovery) = open(&path, T0);
    store.import(&entries(5), &HashSet::new(), T0).unwrap();
    // The window opens at 18:00; the run may only last an hour from 08:00.
    let c = campaign("(from: \"18:00\", to: \"20:00\")", "Progressive()", 5);
    let o = Options {
        stop_after_ms: Some(HOUR_MS),
        ..Options::default()
    };
    match Machine::new(c, store, recovery, o, T0) {
        Err(e @ RunError::CannotDial(_)) => {
            assert!(e.is_bad_input());
            assert!(e.to_string().contains("18:00"), "{e}");
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn a_second_run_on_one_store_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let first = RunLock::take(&path, T0).unwrap();
    match RunLock::take(&path, T0) {
        Err(e @ StoreError::Locked { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains(&format!("process {}", std::process::id())),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    drop(first);
    RunLock::take(&path, T0).expect("free again once the first run ends");
}
