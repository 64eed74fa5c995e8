//! `live`'s dialing loop against the stand-in's core in the same process, in virtual time: a
//! campaign of hours runs in seconds, and what it measures agrees with the simulator's
//! replications of the same scenario and strategy (`dialsim run`).

use connect_standin::in_process::InProcess;
use connect_standin::{Ids, Instance, Options as InstanceOptions, phone_numbers};
use live::UnixMillis;
use live::compliance;
use live::config::{self, Campaign};
use live::contacts::Entry;
use live::dialer::{Clock, End, Machine, Options, Report, VirtualClock, shell};
use live::store::{Identity, Store};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use strategies::StrategySpec;

/// 2026-03-02T00:00:00Z.
const MIDNIGHT: i64 = 1_772_409_600_000;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What one run measured, in the simulator's terms.
#[derive(Clone, Copy, Debug, Default)]
struct Numbers {
    dials: f64,
    queue_entries: f64,
    queue_abandon_rate: f64,
    connected: f64,
    /// The regulator's rate: live's estimate from what Connect shows (the status line's and the
    /// kill-switch's), the simulator's true count.
    regulatory_rate: f64,
}

/// The campaign file `live` would run for `scenario`'s world with `strategy`.
fn campaign(world: &sim::World, rules: &rules::Rules, strategy: &StrategySpec) -> Campaign {
    let ids = Ids::default();
    // The world keeps the start rate per millisecond.
    let (rate, burst) = world
        .start_rate
        .map_or((2.0, 5), |(per_ms, burst)| (per_ms * 1_000.0, burst));
    let text = format!(
        r#"Campaign(
    name: "twin",
    instance_id: "{}",
    contact_flow_id: "{}",
    queue_id: "{}",
    source_phone_number: "+14155550100",
    region: "us-east-1",
    contacts: "contacts.csv",
    strategy: Progressive(),
    compliance: (
        ring_timeout_s: {},
        compliance_threshold_s: {},
        // The simulator has no kill-switch: the twin runs with one that never trips (it
        // waits for more calls than a day has), so that both run the strategy alone.
        kill_switch: (min_calls: 4000000000),
    ),
    // Dials at the scenario's start rate; DescribeContact and GetContactAttributes at Connect's
    // default quota (contact_api's default), as the instance enforces them.
    quotas: (
        start_api: Some((per_second: {rate}, burst: {burst})),
        max_concurrent_calls: {},
    ),
    store: "twin.sqlite",
)"#,
        ids.instance_id,
        ids.contact_flow_id,
        ids.queue_id,
        world.ring_timeout.0 / 1_000,
        world.compliance_threshold.as_secs_f64(),
        world.max_concurrent_calls.unwrap_or(1_000_000),
    );
    let mut c = config::parse(&text, Path::new("campaign.ron")).expect("the twin's campaign");
    c.rules = rules.clone();
    c.strategy = strategy.clone();
    // The operator declares what the scenario says of detection and silent callers, so that
    // the pacer counts the regulator's rate as the simulator's does.
    let counting = world.counting();
    c.compliance.amd = counting.amd.map(|a| config::AmdDeclaration {
        false_positive: rules::param::Probability::new(a.false_positive).expect("a share"),
        false_negative: rules::param::Probability::new(a.false_negative).expect("a share"),
    });
    c.compliance.silent_people =
        Some(rules::param::Probability::new(counting.silent_people).expect("a share"));
    assert_eq!(c.counting(), counting);
    c
}

/// Runs `live`'s loop through the in-process stand-in playing `replication` of `scenario` with
/// `strategy`, and reads the store it wrote.
fn live_run(scenario: &Path, strategy: &StrategySpec, replication: u32) -> (Numbers, Report) {
    let (s, plan) = lab::load::load(scenario).expect("scenario");
    let world = &plan.world;
    let base = scenario.parent().unwrap();
    let phones = phone_numbers(&s.list, world, base).expect("phones");
    // A dated scenario's zones may follow daylight saving: the rehearsal runs on its dates.
    let epoch = world.dated_epoch(UnixMillis(MIDNIGHT));
    let instance = Instance::new(
        world.clone(),
        plan.seed,
        phones.clone(),
        InstanceOptions {
            replication,
            api_quotas: true,
            ids: Ids::default(),
            epoch,
        },
    )
    .expect("instance");
    let dir = tempfile::tempdir_in(if Path::new("/dev/shm").is_dir() {
        Path::new("/dev/shm")
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR"))
    })
    .unwrap();
    let identity = Identity {
        campaign: "twin".into(),
        instance_id: Ids::default().instance_id,
    };
    let path = dir.path().join("twin.sqlite");
    let (mut store, recovery) = Store::open(&path, &identity, true, epoch).unwrap();
    let entries: Vec<Entry> = world
        .customers
        .iter()
        .zip(&phones)
        .enumerate()
        .map(|(i, (c, phone))| Entry {
            line: i as u64 + 2,
            phone: phone.clone(),
            name: String::new(),
            zone: Some(world.time_zones[usize::from(c.zone)]),
            do_not_call: c.do_not_call,
            invalid: None,
        })
        .collect();
    store.import(&entries, &HashSet::new(), epoch).unwrap();
    let campaign = campaign(world, &s.rules, strategy);
    let counting = campaign.counting();
    let options = Options {
        events: true,
        stop_after_ms: Some(world.horizon.0 as i64),
        drain_ms: 3_600_000,
        ..Options::default()
    };
    let clock = VirtualClock::new(epoch);
    let mut board = InProcess::new(instance, clock.clone());
    let machine = Machine::new(campaign, store, recovery, options, epoch).expect("machine");
    let (_tx, mut rx) = tokio::sync::watch::channel(false);
    let report = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(shell::drive(machine, &clock, &mut board, None, &mut rx))
        .expect("the run");
    let store = Store::open(&path, &identity, false, clock.now()).unwrap().0;
    let calls = store.finished_calls().unwrap();
    let t = compliance::tally(&calls, &counting);
    let numbers = Numbers {
        dials: store.attempts().unwrap().len() as f64,
        queue_entries: t.seen.queued as f64,
        queue_abandon_rate: t.queue_rate().unwrap_or(0.0),
        connected: calls
            .iter()
            .filter(|c| c.outcome == live::Outcome::Agent)
            .count() as f64,
        regulatory_rate: t.regulatory_rate(&counting).unwrap_or(0.0),
    };
    (numbers, report)
}

/// The simulator's replications `0..n` of `scenario` with `strategy`.
fn simulated(scenario: &Path, strategy: &StrategySpec, n: u32) -> Vec<Numbers> {
    let (_, plan) = lab::load::load(scenario).expect("scenario");
    (0..n)
        .map(|r| {
            let m = lab::run::replicate(&plan, strategy, r);
            let c = m.counters;
            Numbers {
                dials: c.dials as f64,
                queue_entries: c.queue_entries as f64,
                queue_abandon_rate: if c.queue_entries > 0 {
                    c.abandoned as f64 / c.queue_entries as f64
                } else {
                    0.0
                },
                connected: c.connected as f64,
                regulatory_rate: c.tally().regulatory_rate().unwrap_or(0.0),
            }
        })
        .collect()
}

/// One of [`Numbers`]' fields.
type Field = fn(&Numbers) -> f64;

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// The loop's numbers lie within the spread of the simulator's days: within 4 standard
/// deviations of their mean, or `relative` of it (the loop paces on metrics a second old and
/// quotas the simulator does not have, so it is a twin, not a copy).
fn agrees(scenario: &str, strategy: &str, relative: f64) {
    let path = root().join(scenario);
    let spec: StrategySpec = ron::from_str(strategy).unwrap();
    let (live, report) = live_run(&path, &spec, 0);
    assert_eq!(report.end, Some(End::StopAfter), "{report:?}");
    let sims = simulated(&path, &spec, 12);
    let fields: [(&str, Field); 5] = [
        ("dials", |n| n.dials),
        ("queue entries", |n| n.queue_entries),
        ("connected", |n| n.connected),
        ("queue abandon rate", |n| n.queue_abandon_rate),
        ("regulatory abandon rate", |n| n.regulatory_rate),
    ];
    let mut table = String::new();
    let mut bad = Vec::new();
    for (name, f) in fields {
        let xs: Vec<f64> = sims.iter().map(f).collect();
        let (mean, sd) = mean_sd(&xs);
        let v = f(&live);
        let ok = (v - mean).abs() <= (4.0 * sd).max(relative * mean.abs()).max(1e-3);
        table.push_str(&format!(
            "{scenario} {strategy} {name}: live {v:.4}, simulated {mean:.4} ± {sd:.4}\n"
        ));
        if !ok {
            bad.push(name);
        }
    }
    eprintln!("{table}{report:?}");
    assert!(
        bad.is_empty(),
        "the loop disagrees with the simulator on {bad:?}\n{table}"
    );
}

/// Every pacer on the 100-agent day's customers and behaviour with five agents: the loop
/// dials, queues, connects and abandons what the simulator does. (`AsWritten` is the sample's
/// unguarded burst against Connect, refused calls given up: `live`'s client-side quota never
/// lets the burst reach Connect, so under `live` it dials as `AgentsAvailable` does at the
/// quota's rate — not a twin of the simulated sample, by design.)
#[test]
fn the_loop_agrees_with_the_simulator_on_a_small_team() {
    for strategy in [
        "Progressive()",
        "AgentsAvailable()",
        "OpenLoop(rate_per_hour: 600.0)",
        "FixedRatio(ratio: 2.0)",
        "FreePlusBusy(target_abandon: 0.03)",
        "Adaptive(target_abandon: 0.03, max_level: 3.0, mode: HardLimit)",
        "PiController(target_abandon: 0.025)",
        "Predictive(target_abandon: 0.03)",
    ] {
        agrees("scenarios/small-team.ron", strategy, 0.05);
    }
}

/// The 100-agent day (60,000 customers, shifts of up to 100 agents, about 90,000 dials in
/// eight hours) with each of its strategies: one test each, so that they run side by side.
macro_rules! hundred_agents {
    ($($name:ident: $strategy:literal,)*) => {$(
        #[test]
        fn $name() {
            agrees("scenarios/day-100-agents.ron", $strategy, 0.05);
        }
    )*};
}

hundred_agents! {
    the_100_agent_day_agrees_under_progressive: "Progressive()",
    the_100_agent_day_agrees_under_agents_available: "AgentsAvailable(poll_s: 5.0)",
    the_100_agent_day_agrees_under_fixed_ratio: "FixedRatio(ratio: 2.0)",
    the_100_agent_day_agrees_under_free_plus_busy: "FreePlusBusy(target_abandon: 0.03)",
    the_100_agent_day_agrees_under_adaptive: "Adaptive(target_abandon: 0.03, max_level: 3.0, mode: HardLimit)",
    the_100_agent_day_agrees_under_pi_controller: "PiController(target_abandon: 0.025)",
    the_100_agent_day_agrees_under_predictive: "Predictive(target_abandon: 0.03)",
}
