//! A target is the regulator's rate: `Predictive(target_abandon: 0.03)` lands its regulatory
//! abandon rate between 2.7% and 3.0% (mean over 20 days), the upper end of the 95% interval at
//! most 3.1%, on scenarios built to differ — no knob search. The scenarios are in
//! `lab/tests/targets/`: 5 to 300 agents, detection off and on with 0–2.5% false positives,
//! impatient and patient callers, metrics 2–10 s stale, talk 90–600 s, shifts.

use crate::support::{estimate, run};
use lab::catalogue::Metric;
use std::path::PathBuf;

fn target_scenario(name: &str) -> lab::Plan {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/targets")
        .join(format!("{name}.ron"));
    lab::load::load(&path)
        .unwrap_or_else(|e| panic!("{} must load: {e}", path.display()))
        .1
}

fn lands_on_target(name: &str) {
    let plan = target_scenario(name);
    assert_eq!(plan.replications, 20, "{name}: twenty days");
    let results = run(&plan);
    let predictive = &results.strategies[0];
    assert!(predictive.name.starts_with("Predictive(target 0.03"));
    let rate = estimate(predictive, Metric::AbandonRateRegulatory);
    let mean = rate.mean.expect("defined");
    let [_, upper] = rate.ci95.expect("an interval");
    assert!(
        (0.027..=0.030).contains(&mean) && upper <= 0.031,
        "{name}: regulatory abandon rate {:.2}% [.., {:.2}%], not within 2.7–3.0% with the upper end at most 3.1%",
        mean * 100.0,
        upper * 100.0
    );
}

#[test]
fn five_agents_without_detection() {
    lands_on_target("five-agents-no-amd");
}

#[test]
fn ten_agents_on_shifts_with_patient_callers() {
    lands_on_target("ten-agents-shifts-patient");
}

#[test]
fn twenty_agents_on_long_calls_with_stale_metrics() {
    lands_on_target("twenty-agents-long-calls");
}

#[test]
fn fifty_agents_behind_a_poor_detector() {
    lands_on_target("fifty-agents-poor-detector");
}

#[test]
fn a_hundred_agents_on_short_calls_without_detection() {
    lands_on_target("hundred-agents-no-amd-short-calls");
}

#[test]
fn three_hundred_agents_on_shifts() {
    lands_on_target("three-hundred-agents-shifts");
}

/// A target the declared detector alone reaches is refused before any call, with the arithmetic.
#[test]
fn a_target_the_detector_alone_reaches_is_refused() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/targets/fifty-agents-poor-detector.ron");
    let text = std::fs::read_to_string(&path).expect("readable");
    let text = text.replace("false_positive: 0.02", "false_positive: 0.03");
    let scenario: sim::scenario::Scenario = ron::from_str(&text).expect("parses");
    let Err(err) = sim::world::World::compile(&scenario, 1, &sim::inputs::NoFiles) else {
        panic!("a target of 3% behind 3% false positives must be refused");
    };
    let message = err.to_string();
    assert!(
        message.contains("strategies: Predictive")
            && message.contains("3.00%")
            && message.contains("false_positive"),
        "{message}"
    );
}

#[test]
fn forty_agents_with_a_detector_taking_most_of_the_budget() {
    lands_on_target("forty-agents-impatient-fp-2.5pct");
}

#[test]
fn two_hundred_agents_with_patient_callers() {
    lands_on_target("two-hundred-agents-patient-no-amd");
}
