//! Bad scenario input gets a message that names the line and column and says how to fix it.
//! Each case edits one line of the bundled sample scenario and checks where the error points.

use crate::support::scenario_path;
use sim::load::{ScenarioError, parse};
use std::path::Path;

fn sample() -> String {
    std::fs::read_to_string(scenario_path("seed-sample.ron")).expect("bundled sample")
}

/// Replaces `from` (which must occur exactly once) and returns the text and the 1-based line.
fn edit(from: &str, to: &str) -> (String, usize) {
    let text = sample();
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    let line = text[..text.find(from).expect("present")].lines().count();
    (text.replacen(from, to, 1), line.max(1))
}

fn parse_error(text: &str) -> (usize, String) {
    match parse(text, Path::new("edited.ron")) {
        Err(ScenarioError::Parse { line, message, .. }) => (line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[track_caller]
fn assert_error(from: &str, to: &str, expect: &[&str]) {
    assert_error_within(from, to, 1, expect);
}

/// `slack`: how many lines after the edit the error may point. A value is checked where it is
/// read (slack 1: its end may be on the next line); a rule over a whole block (a sum of
/// probabilities) is checked at the block's closing parenthesis.
#[track_caller]
fn assert_error_within(from: &str, to: &str, slack: usize, expect: &[&str]) {
    let (text, line) = edit(from, to);
    let (at, message) = parse_error(&text);
    assert!(
        (line..=line + slack).contains(&at),
        "error for {to:?} points at line {at}, the edit is on line {line}: {message}"
    );
    for part in expect {
        assert!(message.contains(part), "message {message:?} lacks {part:?}");
    }
}

#[test]
fn malformed_ron() {
    assert_error("seed: 2018,", "seed: 2018", &["Expected comma"]);
}

#[test]
fn unknown_strategy_lists_the_known_ones() {
    assert_error(
        "AsWritten(poll_s: 5.0)",
        "Clairvoyant(target_abandon: 0.03)",
        &[
            "Clairvoyant",
            "AgentsAvailable",
            "Predictive",
            "unknown strategy",
        ],
    );
}

#[test]
fn probabilities_must_sum_to_one() {
    // The dial block closes two lines below the edited line, the IVR block one line below.
    assert_error_within(
        "human: 0.35,",
        "human: 0.36,",
        2,
        &["dial outcome probabilities sum to 1.01", "add up to 1"],
    );
    assert_error_within(
        "no_input: 0.15,",
        "no_input: 0.2,",
        1,
        &["IVR choice probabilities sum to 1.05"],
    );
}

#[test]
fn a_sum_within_the_tolerance_is_accepted() {
    let (text, _) = edit("human: 0.35,", "human: 0.3500000000001,");
    parse(&text, Path::new("edited.ron")).expect("1e-13 off is within 1e-9");
}

#[test]
fn probabilities_are_fractions() {
    assert_error(
        "human: 0.35,",
        "human: 35,",
        &["between 0 and 1", "0.3, not 30"],
    );
}

#[test]
fn durations_must_be_positive() {
    assert_error(
        "answer_after: LogNormal(mean_s: 10.0, sd_s: 5.0)",
        "answer_after: Exponential(mean_s: -3.0)",
        &["greater than zero", "-3"],
    );
    assert_error(
        "ring_timeout_s: 60.0,",
        "ring_timeout_s: 0.0,",
        &["greater than zero"],
    );
    assert_error(
        "after_call_work: Fixed(s: 30.0)",
        "after_call_work: Fixed(s: -30.0)",
        &["cannot be negative"],
    );
}

#[test]
fn lognormal_needs_a_positive_sd() {
    assert_error(
        "talk: LogNormal(mean_s: 180.0, sd_s: 120.0)",
        "talk: LogNormal(mean_s: 180.0, sd_s: 0.0)",
        &["greater than zero"],
    );
}

#[test]
fn a_shift_must_end_after_it_starts() {
    assert_error(
        "staffing: Count(10)",
        "staffing: Shifts([(start_h: 4.0, end_h: 2.0, agents: 3)])",
        &["shift ends at 2 h", "end_h must be later than start_h"],
    );
}

#[test]
fn misspelt_fields_are_named_with_the_right_spelling() {
    assert_error(
        "ring_timeout_s: 60.0,",
        "ring_timout_s: 60.0,",
        &["ring_timout_s", "ring_timeout_s", "in `Dial`"],
    );
    // Inside an enum variant too, where serde would otherwise report a confusing missing field.
    assert_error(
        "after_call_work: Fixed(s: 30.0)",
        "after_call_work: Gamma(shape: 2.0, scael: 9.0)",
        &["scael", "scale_s"],
    );
}

#[test]
fn an_option_without_some_says_how_to_write_it() {
    assert_error(
        "horizon_h: Some(8.0),",
        "horizon_h: 8.0,",
        &["Some(value) or None"],
    );
}
