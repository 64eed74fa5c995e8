//! Decisions per second of `live run`'s loop against the size of the list: 2,000, 200,000 and
//! 2,000,000 customers, and 2,000,000 customers each called once before (a day's history in
//! the store: what the loop reads per decision must not grow with it). Each decision asks the pacer, plans one attempt in the store (committed
//! before the dial), hands out its start, and records the outcome the contact events bring; the
//! time is virtual and the switchboard answers at once, so what is measured is the loop and the
//! store. `cargo bench -p live --bench decisions`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use live::UnixMillis;
use live::config;
use live::connect::QueueMetrics;
use live::contact::ContactView;
use live::contacts::Entry;
use live::dialer::{Action, Answer, Machine, Options, Step};
use live::events::{ContactEvent, EventKind};
use live::store::{Identity, Store};
use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};
use strategies::AgentCounts;

const T0: UnixMillis = UnixMillis(1_772_438_400_000);

fn campaign() -> config::Campaign {
    config::parse(
        r#"Campaign(
    name: "bench", instance_id: "inst", contact_flow_id: "flow", queue_id: "queue",
    source_phone_number: "+14155550100", region: "us-east-1", contacts: "contacts.csv",
    strategy: Progressive(),
    rules: (
        calling_window: (from: "00:00", to: "24:00"),
        retry: (no_answer: Some((after_min: 0.1, max_attempts: 1000))),
    ),
    quotas: (contact_api: (per_second: 1000000.0, burst: 1000000), metrics_api: (per_second: 1000000.0, burst: 1000000)),
    store: "s.sqlite",
)"#,
        Path::new("campaign.ron"),
    )
    .expect("the bench's campaign")
}

/// A store of `n` customers in three time zones, in `dir`.
fn store(dir: &Path, n: u64) -> Store {
    let identity = Identity {
        campaign: "bench".into(),
        instance_id: "inst".into(),
    };
    let (mut store, _) = Store::open(&dir.join("s.sqlite"), &identity, true, T0).unwrap();
    let entries: Vec<Entry> = (0..n)
        .map(|i| Entry {
            line: i + 2,
            phone: format!("+1{:010}", 2_000_000_000 + i),
            name: String::new(),
            zone: Some(rules::zone::Zone::Fixed(
                [0, -5, -8][(i % 3) as usize] * 3_600_000,
            )),
            do_not_call: false,
            invalid: None,
        })
        .collect();
    store.import(&entries, &HashSet::new(), T0).unwrap();
    store
}

/// Writes one unanswered attempt, a day old, for every customer of the store at `path`, as
/// a campaign's earlier days leave them (straight into its tables: the loop would take hours).
fn called_once(path: &Path) {
    let mut db = rusqlite::Connection::open(path).unwrap();
    let tx = db.transaction().unwrap();
    let day_before = T0.0 - 86_400_000;
    tx.execute(
        "INSERT INTO attempts (customer_id, number, token, state, planned_at_ms, placed_at_ms, contact_id, finished_at_ms, outcome, ended_at_ms)
         SELECT id, 1, 'bench-' || id, 'finished', ?1, ?1, 'old-' || id, ?2, 'no_answer', ?2 FROM customers",
        [day_before, day_before + 30_000],
    )
    .unwrap();
    tx.commit().unwrap();
}

/// The loop and what its switchboard owes it.
struct Bench {
    machine: Machine,
    now: UnixMillis,
    serial: u64,
    /// Events of calls started, not yet read by the loop.
    ended: Vec<ContactEvent>,
}

/// Runs the loop until it has made `decisions` starts; returns the time it took.
fn run(b: &mut Bench, decisions: u64) -> Duration {
    let Bench {
        machine,
        now,
        serial,
        ended,
    } = b;
    let began = Instant::now();
    let mut started = 0;
    let mut last_start = *now;
    while started < decisions {
        match machine.next(*now).unwrap() {
            Step::Done(end) => panic!("the campaign ended: {end:?}"),
            Step::Wait(t) => {
                *now = t;
                assert!(
                    now.0 - last_start.0 < 3_600_000,
                    "an hour of virtual time without a decision to dial"
                );
            }
            Step::Do(action) => {
                let answer = match action {
                    Action::ReadMetrics => Answer::Metrics(Ok(QueueMetrics {
                        agents: AgentCounts {
                            staffed: 1,
                            available: 1,
                            on_contact: 0,
                            after_contact_work: 0,
                        },
                        snapshot_at: Some(*now),
                        ..QueueMetrics::default()
                    })),
                    Action::ReadAgentStates => Answer::AgentStates(Ok(Default::default())),
                    Action::ReadEvents => Answer::Events(Ok(std::mem::take(ended))),
                    Action::Start(_) => {
                        *serial += 1;
                        started += 1;
                        last_start = *now;
                        let id = format!("c-{serial}");
                        ended.push(ContactEvent {
                            contact_id: id.clone(),
                            kind: Some(EventKind::Disconnected),
                            at: Some(*now),
                            seen: ContactView {
                                initiated_at: Some(*now),
                                disconnected_at: Some(*now),
                                disconnect_reason: Some("TELECOM_UNANSWERED".into()),
                                ..ContactView::default()
                            },
                        });
                        Answer::Started(Ok(id))
                    }
                    Action::Describe { .. } => Answer::Described(Ok(ContactView::default())),
                    Action::ReadAttributes { .. } => Answer::Attributes(Ok(Default::default())),
                    Action::WriteTable { .. } => Answer::TableWritten(Ok(())),
                };
                machine.answer(*now, answer).unwrap();
            }
        }
    }
    began.elapsed()
}

fn decisions(c: &mut Criterion) {
    let mut group = c.benchmark_group("decisions");
    group.sample_size(10);
    for (n, history) in [
        (2_000u64, false),
        (200_000, false),
        (2_000_000, false),
        (2_000_000, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = if history {
            drop(store(dir.path(), n));
            called_once(&dir.path().join("s.sqlite"));
            let identity = Identity {
                campaign: "bench".into(),
                instance_id: "inst".into(),
            };
            Store::open(&dir.path().join("s.sqlite"), &identity, false, T0)
                .unwrap()
                .0
        } else {
            store(dir.path(), n)
        };
        let options = Options {
            events: true,
            events_every_ms: 100,
            metrics_every_ms: 100,
            ..Options::default()
        };
        let machine = Machine::new(campaign(), store, Default::default(), options, T0).unwrap();
        let mut bench = Bench {
            machine,
            now: T0,
            serial: 0,
            ended: Vec::new(),
        };
        // The first decision builds the callable index (one pass over the list, at start).
        run(&mut bench, 1);
        group.throughput(criterion::Throughput::Elements(1));
        let name = if history {
            "customers called once"
        } else {
            "customers"
        };
        group.bench_function(BenchmarkId::new(name, n), |b| {
            b.iter_custom(|iters| run(&mut bench, iters));
        });
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
