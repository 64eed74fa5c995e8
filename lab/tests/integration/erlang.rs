//! The queue against closed-form queueing theory. With `OpenLoop` dialing, every dial answered by
//! a person who presses 1, exponential talk times and no wrap-up, callers reach the agents as a
//! Poisson stream, so the simulated queue must agree with Erlang A (exponential patience),
//! M/M/n+D (fixed patience) and Erlang C (no abandonment). The closed forms are computed in
//! `queueing.rs` from their published definitions; the scenarios are in `scenarios/validation/`.
//!
//! Rates here are per minute: λ = 9 callers/min, μ = 1/min (mean talk 1 min), 10 agents.

use crate::queueing::{erlang_a, erlang_c, erlang_d};
use crate::support::{assert_within_ci, load, run};
use lab::catalogue::Metric;

const LAMBDA: f64 = 9.0;
const MU: f64 = 1.0;
const AGENTS: u32 = 10;

#[test]
fn exponential_patience_matches_erlang_a() {
    let theory = erlang_a(AGENTS, LAMBDA, MU, 0.5);
    let results = run(&load("validation/erlang-a.ron"));
    let r = &results.strategies[0];
    assert_within_ci(r, Metric::PWait, theory.p_wait);
    assert_within_ci(r, Metric::AbandonRate, theory.p_abandon);
    assert_within_ci(r, Metric::MeanQueueTime, theory.mean_wait * 60.0);
}

#[test]
fn fixed_patience_matches_mmn_d() {
    let theory = erlang_d(AGENTS, LAMBDA, MU, 2.0);
    let results = run(&load("validation/mmn-d.ron"));
    let r = &results.strategies[0];
    assert_within_ci(r, Metric::PWait, theory.p_wait);
    assert_within_ci(r, Metric::AbandonRate, theory.p_abandon);
    assert_within_ci(r, Metric::MeanQueueTime, theory.mean_wait * 60.0);
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
