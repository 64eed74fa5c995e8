//! A campaign ends when its work ends: when no call can be placed any more and the last call
//! and its after-call work are over, whatever a pacer's next wake-up says.

use crate::support::scenario_path;
use lab::Plan;
use lab::load::parse;
use sim::Millis;
use std::path::Path;

fn model(edit: impl Fn(String) -> String) -> Plan {
    let text = std::fs::read_to_string(scenario_path("seed-sample.ron")).expect("bundled sample");
    let scenario = parse(&edit(text), Path::new("edited.ron")).expect("valid edit");
    Plan::compile(&scenario, &lab::inputs::Files::new(Path::new("."))).expect("compiles")
}

/// `AgentsAvailable(poll_s: 1e7)` ran 2,778 h, past the 744 h cap, and diluted occupancy and
/// dials per hour to nothing: the campaign waited for the pacer's next wake-up.
#[test]
fn a_sleeping_pacer_does_not_keep_the_campaign_open_past_its_horizon() {
    let m = model(|t| {
        t.replace(
            "AgentsAvailable(poll_s: 5.0)",
            "AgentsAvailable(poll_s: 2000000.0)",
        )
    });
    let spec = &m.strategies[0];
    let rep = lab::run::replicate(&m, spec, 0);
    // Horizon 8 h; calls in progress then finish (a talk is a few minutes).
    assert!(
        rep.end <= Millis::from_secs(8 * 3_600 + 3_600),
        "the campaign ran to {} h",
        rep.end.as_secs_f64() / 3_600.0
    );
}

/// Nothing left to dial before the horizon (every remaining customer waits for a retry due after
/// it): the campaign ends with its last call, not at the horizon.
#[test]
fn a_campaign_with_nothing_left_to_dial_ends_with_its_last_call() {
    let m = model(|t| {
        t.replace("horizon_h: Some(8.0),", "horizon_h: Some(200.0),")
            .replace("size: 2000,", "size: 50,")
            .replace(
                "            no_answer: None,",
                "            no_answer: Some((after_min: 13000.0, max_attempts: 3)),",
            )
    });
    for spec in &m.strategies {
        let rep = lab::run::replicate(&m, spec, 0);
        assert!(
            rep.counters.dials >= 50,
            "{}: {} dials",
            spec.label(),
            rep.counters.dials
        );
        assert!(
            rep.end < Millis::from_secs(24 * 3_600),
            "{}: the campaign idled to {} h with retries due only after its 200 h horizon",
            spec.label(),
            rep.end.as_secs_f64() / 3_600.0
        );
    }
}

/// Found by the fuzzer: Erlang C (callers wait for ever) with a talk mean of 65,535 s filled the
/// queue for 100 h and drained it for about 98,000 h, keeping a series row per 15 minutes of
/// that until the process ran out of memory. The queue now closes 744 h after dialing stops.
#[test]
fn a_queue_that_would_drain_for_years_closes_744_hours_after_dialing() {
    let path = scenario_path("validation/erlang-c.ron");
    let text = std::fs::read_to_string(&path).expect("bundled scenario");
    assert!(text.contains("talk: Exponential(mean_s: 60.0)"));
    let text = text.replace(
        "talk: Exponential(mean_s: 60.0)",
        "talk: Exponential(mean_s: 65535.0)",
    );
    let scenario = parse(&text, Path::new("slow-talk.ron")).expect("valid edit");
    let m = Plan::compile(&scenario, &lab::inputs::Files::new(Path::new("."))).expect("compiles");
    let rep = lab::run::replicate(&m, &m.strategies[0], 0);
    let horizon = m.world.horizon;
    let close = horizon + sim::campaign::MAX_DRAIN;
    assert!(
        rep.counters.abandoned > 0,
        "callers still queued at the close abandon"
    );
    // After the close, only calls already with an agent finish: at most a capped talk and
    // after-call work each.
    assert!(
        rep.end <= close + Millis::from_secs(2 * 744 * 3_600),
        "the campaign ran to {} h",
        rep.end.as_secs_f64() / 3_600.0
    );
    assert_eq!(
        rep.counters.queue_entries,
        rep.counters.connected + rep.counters.abandoned,
        "every caller who entered the queue was taken or abandoned"
    );
}
