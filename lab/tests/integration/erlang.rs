//! The queue against closed-form queueing theory. With `OpenLoop` dialing, every dial answered by
//! a person who presses 1, exponential talk times and no wrap-up, callers reach the agents as a
//! Poisson stream, so the simulated queue must agree with Erlang A (exponential patience),
//! M/M/n+D (fixed patience) and Erlang C (no abandonment). The closed forms are computed in
//! `queueing.rs` from their published definitions; the scenarios are in `scenarios/validation/`.
//!
//! The formulas describe the queue in steady state. The scenarios measure from 2 h to the horizon
//! (`measure`): the calls dialed in that window, and the agents' time over it, so that neither the
//! empty queue at the start nor the drain after the last dial enters the figures. That also
//! makes the time-based figures comparable with theory: agents busy λ(1 − P(abandon))/(nμ) of
//! the time, and dials at the open-loop rate.
//!
//! Rates here are per minute: λ = 9 callers/min, μ = 1/min (mean talk 1 min), 10 agents.

use crate::queueing::{erlang_a, erlang_c, erlang_d};
use crate::support::{assert_within_ci, estimate, load, run, scenario_path};
use lab::catalogue::Metric;
use lab::summary::StrategyResult;

const LAMBDA: f64 = 9.0;
const MU: f64 = 1.0;
const AGENTS: u32 = 10;

/// The time-based figures of a steady state measured over a window: the agents' occupancy is
/// the carried load per agent, λ(1 − P(abandon))/(nμ), and dials come at the open-loop rate.
fn assert_steady_state_times(r: &StrategyResult, p_abandon: f64) {
    let carried = LAMBDA * (1.0 - p_abandon) / (f64::from(AGENTS) * MU);
    assert_within_ci(r, Metric::Occupancy, carried);
    assert_within_ci(r, Metric::DialsPerHour, LAMBDA * 60.0);
}

#[test]
fn exponential_patience_matches_erlang_a() {
    let theory = erlang_a(AGENTS, LAMBDA, MU, 0.5);
    let results = run(&load("validation/erlang-a.ron"));
    let r = &results.strategies[0];
    assert_within_ci(r, Metric::PWait, theory.p_wait);
    assert_within_ci(r, Metric::AbandonRate, theory.p_abandon);
    assert_within_ci(r, Metric::MeanQueueTime, theory.mean_wait * 60.0);
    assert_steady_state_times(r, theory.p_abandon);
}

#[test]
fn fixed_patience_matches_mmn_d() {
    let theory = erlang_d(AGENTS, LAMBDA, MU, 2.0);
    let results = run(&load("validation/mmn-d.ron"));
    let r = &results.strategies[0];
    assert_within_ci(r, Metric::PWait, theory.p_wait);
    assert_within_ci(r, Metric::AbandonRate, theory.p_abandon);
    assert_within_ci(r, Metric::MeanQueueTime, theory.mean_wait * 60.0);
    assert_steady_state_times(r, theory.p_abandon);
}

#[test]
fn infinite_patience_matches_erlang_c() {
    let theory = erlang_c(AGENTS, LAMBDA, MU);
    let results = run(&load("validation/erlang-c.ron"));
    let r = &results.strategies[0];
    assert_within_ci(r, Metric::PWait, theory.p_wait);
    assert_within_ci(r, Metric::MeanQueueTime, theory.mean_wait * 60.0);
    let abandon = r.metrics.get(Metric::AbandonRate).and_then(|e| e.mean);
    assert_eq!(abandon, Some(0.0), "nobody abandons with infinite patience");
    assert_steady_state_times(r, 0.0);
}

/// The Erlang A campaign cut to 1.5 h, with `edit` applied, at seed 1, 400 replications.
fn short_erlang_a(edit: &str) -> StrategyResult {
    let text = std::fs::read_to_string(scenario_path("validation/erlang-a.ron"))
        .expect("bundled scenario");
    let measure = "    measure: (from_h: 2.0, to_h: 50.0),\n";
    for part in [
        measure,
        "horizon_h: Some(50.0)",
        "seed: 11,",
        "replications: 20,",
    ] {
        assert!(text.contains(part), "{part:?}");
    }
    let text = text
        .replace(measure, edit)
        .replace("horizon_h: Some(50.0)", "horizon_h: Some(1.5)")
        .replace("seed: 11,", "seed: 1,")
        .replace("replications: 20,", "replications: 400,");
    let scenario = lab::load::parse(&text, "short.ron".as_ref()).expect("valid edit");
    let plan =
        lab::Plan::compile(&scenario, &lab::inputs::Files::new(".".as_ref())).expect("compiles");
    run(&plan).strategies.remove(0)
}

/// Over a short campaign the agents' time is not steady state: the queue starts empty, and the
/// last calls drain without arrivals after the horizon, so the whole campaign's occupancy and
/// dials per hour fall below the closed form. Measured from 0.5 h to the horizon, they agree
/// with it, and so do the queue's figures.
#[test]
fn a_middle_window_removes_the_start_and_the_drain_of_a_short_campaign() {
    let theory = erlang_a(AGENTS, LAMBDA, MU, 0.5);
    let carried = LAMBDA * (1.0 - theory.p_abandon) / (f64::from(AGENTS) * MU);
    let whole = short_erlang_a("");
    for (metric, closed_form) in [
        (Metric::Occupancy, carried),
        (Metric::DialsPerHour, LAMBDA * 60.0),
    ] {
        let [_, hi] = estimate(&whole, metric).ci95.expect("interval");
        assert!(
            hi < closed_form,
            "{}: the whole campaign's upper end {hi} is not below {closed_form}",
            metric.key()
        );
    }
    let window = short_erlang_a("    measure: (from_h: 0.5, to_h: 1.5),\n");
    assert_within_ci(&window, Metric::PWait, theory.p_wait);
    assert_within_ci(&window, Metric::AbandonRate, theory.p_abandon);
    assert_within_ci(&window, Metric::MeanQueueTime, theory.mean_wait * 60.0);
    assert_steady_state_times(&window, theory.p_abandon);
}

#[test]
fn the_closed_form_is_not_trivially_inside_a_wide_interval() {
    // Guards the tests above against passing on intervals too wide to mean anything.
    let results = run(&load("validation/erlang-a.ron"));
    let e = crate::support::estimate(&results.strategies[0], Metric::AbandonRate);
    let [lo, hi] = e.ci95.expect("interval");
    assert!(
        hi - lo < 0.01,
        "abandon-rate interval [{lo}, {hi}] is too wide"
    );
    let wrong = erlang_a(AGENTS, LAMBDA * 1.05, MU, 0.5).p_abandon;
    assert!(
        !(lo..=hi).contains(&wrong),
        "a 5% higher load is not told apart"
    );
}
