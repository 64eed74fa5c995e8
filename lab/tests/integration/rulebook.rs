//! One rulebook: every call the simulator's dialer places is one `live`'s decision
//! ([`rules::rulebook::may_dial`]) allows at that moment, given what a dialer knows of the
//! customer's earlier calls — the same rules, read from the same `rules: (...)` syntax.

use crate::support::load;
use rules::Outcome;
use rules::rulebook::{CustomerFacts, PastAttempt, PastState, Verdict, may_dial};
use std::collections::HashMap;

/// Replays a traced replication through `may_dial`: each dial must be `Now`, as the attempt the
/// simulator numbered it.
fn every_dial_is_allowed(relative: &str, scenario_rules: &rules::Rules, replications: u32) {
    let plan = load(relative);
    let world = &plan.world;
    for spec in &plan.strategies {
        for replication in 0..replications {
            let (_, trace) = lab::run::replicate_traced(&plan, spec, replication);
            // The dials in the order they were placed, and each customer's finished calls.
            let mut calls: Vec<_> = trace.calls.iter().map(|t| t.call).collect();
            calls.sort_by_key(|c| (c.dialed_at, c.customer, c.attempt));
            let mut history: HashMap<u32, Vec<PastAttempt>> = HashMap::new();
            let utc = |t: sim::Millis| world.utc(t);
            let mut checked = 0;
            for call in &calls {
                let info = world.customers[call.customer as usize];
                let facts = CustomerFacts {
                    zone: Some(world.time_zones[info.zone as usize]),
                    do_not_call: info.do_not_call,
                    invalid: false,
                };
                // What a dialer knows when it dials: the calls to this customer that ended by now.
                let known: Vec<PastAttempt> = history
                    .get(&call.customer)
                    .map(|h| {
                        h.iter()
                            .filter(|a| a.at <= utc(call.dialed_at))
                            .copied()
                            .collect()
                    })
                    .unwrap_or_default();
                let verdict = may_dial(&facts, &known, scenario_rules, utc(call.dialed_at));
                assert_eq!(
                    verdict,
                    Verdict::Now {
                        next_attempt: call.attempt
                    },
                    "{relative}, {}, replication {replication}: customer {} dialed at {} as attempt {} after {known:?}",
                    spec.label(),
                    call.customer,
                    call.dialed_at,
                    call.attempt
                );
                history.entry(call.customer).or_default().push(PastAttempt {
                    number: call.attempt,
                    state: PastState::Finished(Outcome::of_call(
                        call.ring,
                        call.choice,
                        call.abandoned,
                    )),
                    at: utc(call.ended_at),
                });
                checked += 1;
            }
            assert!(checked > 0, "{relative}: {} placed no call", spec.label());
        }
    }
}

fn rules_of(relative: &str) -> rules::Rules {
    let path = crate::support::scenario_path(relative);
    lab::load::load(&path).expect("bundled scenario").0.rules
}

/// Time zones with a calling window, retries after no answer, busy, machine and call-back, and
/// answering-machine detection.
#[test]
fn the_100_agent_day_dials_only_what_the_rulebook_allows() {
    let rules = rules_of("day-100-agents.ron");
    every_dial_is_allowed("day-100-agents.ron", &rules, 1);
}

/// A retry after an abandoned call waits for the quiet period, whatever its own delay says.
#[test]
fn a_retry_after_an_abandon_waits_for_the_quiet_period() {
    let path = crate::support::scenario_path("small-team.ron");
    let text = std::fs::read_to_string(&path).expect("bundled scenario");
    let edited = text.replace(
        "            abandoned: None,",
        "            abandoned: Some((after_min: 1.0, max_attempts: 3)),",
    );
    assert_ne!(edited, text, "small-team.ron writes every retry rule");
    let edited = edited.replace("horizon_h: Some(8.0)", "horizon_h: Some(100.0)");
    let scenario = lab::load::parse(&edited, &path).expect("valid edit");
    let plan = lab::Plan::compile(
        &scenario,
        &lab::inputs::Files::new(path.parent().expect("in a folder")),
    )
    .expect("compiles");
    let quiet = plan.world.abandon_quiet;
    let mut redialed = 0;
    for spec in &plan.strategies {
        // (`redials_after_abandon` counts the people answering-machine detection hung up on
        // and the machine rule redialed: no dialer can tell those from machines.)
        let (_, trace) = lab::run::replicate_traced(&plan, spec, 0);
        let mut abandoned_at = HashMap::new();
        let mut calls: Vec<_> = trace.calls.iter().map(|t| t.call).collect();
        calls.sort_by_key(|c| c.dialed_at);
        for c in calls {
            if let Some(&at) = abandoned_at.get(&c.customer) {
                assert!(c.dialed_at >= at + quiet, "{c:?} within the quiet period");
                redialed += 1;
            }
            if c.abandoned {
                abandoned_at.insert(c.customer, c.ended_at);
            }
        }
    }
    assert!(
        redialed > 0,
        "some abandoned customer is called again after the quiet period"
    );
}

/// A working week across North America's change to daylight saving time (Sunday 8 March
/// 2026), customers by IANA zone: every dial is one the rulebook allows on the clock of its day.
#[test]
fn a_week_across_daylight_saving_dials_only_what_the_rulebook_allows() {
    let rules = rules_of("daylight-saving-week.ron");
    every_dial_is_allowed("daylight-saving-week.ron", &rules, 1);
}

/// On Monday 9 March, 12:00-13:00 UTC is 08:00-09:00 in New York (summer clock) but 07:00-08:00
/// in Chicago: New Yorkers are called in that hour, Chicagoans are not. On the winter clock
/// New York's window would open an hour later.
#[test]
fn after_the_change_the_window_opens_on_the_summer_clock() {
    let plan = load("daylight-saving-week.ron");
    let world = &plan.world;
    let name = |zone: u16| world.time_zones[usize::from(zone)].to_string();
    let spec = &plan.strategies[0];
    let (_, trace) = lab::run::replicate_traced(&plan, spec, 0);
    let mut per_zone: HashMap<String, u64> = HashMap::new();
    for call in trace.calls.iter().map(|t| t.call) {
        let at = world.utc(call.dialed_at).rfc3339();
        if at.starts_with("2026-03-09T12:") {
            let zone = world.customers[call.customer as usize].zone;
            *per_zone.entry(name(zone)).or_default() += 1;
        }
    }
    assert!(
        per_zone.get("America/New_York").copied().unwrap_or(0) > 20,
        "{per_zone:?}"
    );
    for closed in [
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
    ] {
        assert_eq!(
            per_zone.get(closed),
            None,
            "{closed} dialed before 08:00: {per_zone:?}"
        );
    }
}
