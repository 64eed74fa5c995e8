//! Bad scenario input gets a message that names the line and column and says how to fix it.
//! Each case edits one line of the bundled sample scenario and checks where the error points.

use crate::support::scenario_path;
use lab::load::{ScenarioError, parse};
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
        &["from above 0 s", "-3"],
    );
    // A ring timeout is a rule too: at least the 15 s minimum ring, at most Connect's 60 s.
    assert_error(
        "ring_timeout_s: 60.0,",
        "ring_timeout_s: 0.0,",
        &["ring timeout from 15 s to 60 s", "at least 15 s"],
    );
    assert_error(
        "ring_timeout_s: 60.0,",
        "ring_timeout_s: 14.9,",
        &["ring timeout from 15 s to 60 s"],
    );
    assert_error(
        "after_call_work: Fixed(s: 30.0)",
        "after_call_work: Fixed(s: -30.0)",
        &["zero or more"],
    );
}

#[test]
fn lognormal_needs_a_positive_sd() {
    assert_error(
        "talk: LogNormal(mean_s: 180.0, sd_s: 120.0)",
        "talk: LogNormal(mean_s: 180.0, sd_s: 0.0)",
        &["from above 0 s"],
    );
}

/// Durations of 1e12 s (talk, prompt, ring timeout, a Weibull scale) ran the process out of
/// memory: the series grew an interval for every 15 minutes of a call that never ended.
#[test]
fn durations_are_at_most_the_longest_campaign() {
    for (from, to) in [
        (
            "talk: LogNormal(mean_s: 180.0, sd_s: 120.0)",
            "talk: LogNormal(mean_s: 1e12, sd_s: 120.0)",
        ),
        ("prompt: Fixed(s: 10.0)", "prompt: Fixed(s: 1e12)"),
        (
            "after_call_work: Fixed(s: 30.0)",
            "after_call_work: Weibull(shape: 1.5, scale_s: 1e12)",
        ),
        ("metrics_lag_s: 2.0,", "metrics_lag_s: 1e308,"),
        (
            "compliance_threshold_s: 2.0,",
            "compliance_threshold_s: 1e12,",
        ),
        // Found by the fuzzer: each ran the process out of memory.
        ("no_input_timeout_s: 5.0,", "no_input_timeout_s: 1e12,"),
        (
            "after_call_work: Fixed(s: 30.0)",
            "after_call_work: Uniform(min_s: 0.0, max_s: 1.8e19)",
        ),
    ] {
        assert_error(from, to, &["to 2,678,400 s", "744 h"]);
    }
    assert_error(
        "ring_timeout_s: 60.0,",
        "ring_timeout_s: 1e12,",
        &["ring timeout from 15 s to 60 s"],
    );
    assert_error(
        "after_call_work: Fixed(s: 30.0)",
        "after_call_work: Gamma(shape: 0.001, scale_s: 30.0)",
        &["shape parameter from 0.01 to 1,000"],
    );
    // Found by the fuzzer: a shape of 2^31 ran the process out of memory.
    assert_error(
        "after_call_work: Fixed(s: 30.0)",
        "after_call_work: Gamma(shape: 2147483648, scale_s: 30.0)",
        &["shape parameter from 0.01 to 1,000"],
    );
}

/// `series_interval_min: 1e-9` ran the process out of memory (an interval per picosecond).
#[test]
fn series_intervals_are_at_least_a_second() {
    assert_error(
        "series_interval_min: 15.0,",
        "series_interval_min: 1e-9,",
        &["from 0.0166667 min", "at least a second"],
    );
}

/// Counts out of range said "Integer is out of bounds", naming neither the field nor the range,
/// and `Generated(size: 4294967295)` reserved 17 GB before the first replication.
#[test]
fn counts_name_what_they_count_and_their_range() {
    assert_error(
        "list: Generated(size: 2000,",
        "list: Generated(size: 4294967295,",
        &["customers from 0 to 10,000,000", "found 4294967295"],
    );
    assert_error(
        "list: Generated(size: 2000,",
        "list: Generated(size: 99999999999999999999,",
        &["customers from 0 to 10,000,000"],
    );
    assert_error(
        "staffing: Count(10)",
        "staffing: Count(-1)",
        &["agents from 1 to 20,000", "found -1"],
    );
    // Found by the fuzzer: 2^32 - 1 agents reserved 68 GB in one allocation.
    assert_error(
        "staffing: Count(10)",
        "staffing: Count(4294967295)",
        &["agents from 1 to 20,000"],
    );
    assert_error(
        "staffing: Count(10)",
        "staffing: Shifts([(start_h: 0.0, end_h: 8.0, agents: 2147483648)])",
        &["agents from 0 to 20,000"],
    );
    assert_error(
        "replications: 100,",
        "replications: 4294967295,",
        &["replications from 0 to 100,000"],
    );
}

/// Found from outside: `seed: -1` and 2^64 said "Integer is out of bounds"; a LogNormal whose sd
/// is 1e306 times its mean failed at compile time without a position.
#[test]
fn seeds_and_extreme_shapes_are_named() {
    for to in ["seed: -1,", "seed: 18446744073709551616,", "seed: 7.5,"] {
        assert_error(
            "seed: 2018,",
            to,
            &["expected a seed", "18446744073709551615"],
        );
    }
    assert_error(
        "talk: LogNormal(mean_s: 180.0, sd_s: 120.0)",
        "talk: LogNormal(mean_s: 1e-300, sd_s: 2678400.0)",
        &["no representable shape"],
    );
}

/// `Count(10.0)` said "Expected closing )".
#[test]
fn a_decimal_count_says_to_drop_the_point() {
    assert_error(
        "staffing: Count(10)",
        "staffing: Count(10.0)",
        &["whole number of agents", "without the decimal point (10)"],
    );
}

/// A UTF-8 byte-order mark at the start of the file said "Expected opening (".
#[test]
fn a_byte_order_mark_is_accepted() {
    let text = format!("\u{feff}{}", sample());
    parse(&text, Path::new("bom.ron")).expect("a byte-order mark is not an error");
}

/// Settings the docs bound were not checked: PiController gains of NaN, 0 or below, Adaptive
/// intensity 127 (documented -40 to 40), a poll of 1e308 s. Adaptive's diff_target is bound
/// the same way.
#[test]
fn strategy_settings_are_checked_against_their_ranges() {
    for (to, expect) in [
        ("PiController(kp: NaN)", "controller gain"),
        ("PiController(kp: 0.0)", "controller gain"),
        ("PiController(ki: -1.0)", "controller gain"),
        ("Adaptive(intensity: 127)", "intensity steps from -40 to 40"),
        ("Adaptive(diff_target: -41)", "agents from -40 to 40"),
        ("Adaptive(diff_target: 1.5)", "whole number of agents"),
        (
            "AgentsAvailable(poll_s: 1e308)",
            "from 0.1 s to 2,678,400 s",
        ),
        ("AgentsAvailable(poll_s: 0.0)", "from 0.1 s"),
        ("FixedRatio(ratio: 1e9)", "at most 100"),
        ("OpenLoop(rate_per_hour: 1e308)", "360,000"),
        ("Predictive(max_lines_per_agent: 0.5)", "from 1 to 100"),
        ("FreePlusBusy(r: 8.0)", "from 0.01 to 1.5"),
    ] {
        assert_error("AsWritten(poll_s: 5.0),", &format!("{to},"), &[expect]);
    }
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

/// A measurement window's bounds are checked where they are written, each message naming the
/// field, its range and the fix; an empty or reversed window at the end of its block.
#[test]
fn a_measurement_window_names_the_field_its_range_and_the_fix() {
    let at = "horizon_h: Some(8.0),";
    let with = |m: &str| format!("{at}\n    measure: {m},");
    let cases: [(&str, &[&str]); 9] = [
        (
            "(from_h: -1.0, to_h: 7.0)",
            &[
                "measure.from_h",
                "from 0 h to 744 h",
                "found -1",
                "not a clock time",
            ],
        ),
        ("(from_h: inf)", &["measure.from_h", "found inf"]),
        (
            "(from_h: 1.0, to_h: 800.0)",
            &[
                "measure.to_h",
                "from above 0 h to 744 h",
                "found 800",
                "leave to_h out",
            ],
        ),
        ("(from_h: 1.0, to_h: NaN)", &["measure.to_h", "found NaN"]),
        (
            "(from_h: 7.0, to_h: 1.0)",
            &[
                "from_h 7 h to to_h 1 h",
                "empty window",
                "make to_h later than from_h",
            ],
        ),
        ("(from_h: 2.5, to_h: 2.5)", &["from_h 2.5 h to to_h 2.5 h"]),
        (
            "(from: 1.0, to_h: 7.0)",
            &["`from`", "in `Measure`", "`from_h`", "check the spelling"],
        ),
        (
            "(from_h: 1.0, to_h: Some(7.0))",
            &["measure.to_h", "without Some", "leave it out"],
        ),
        (
            "Some((from_h: 1.0))",
            &["without Some", "measure: (from_h: 1.0, to_h: 7.0)"],
        ),
    ];
    for (measure, expect) in cases {
        assert_error(at, &with(measure), expect);
    }
    // Written as a structure, `to_h` optional: from 2 h to the end.
    let (text, _) = edit(at, &with("(from_h: 2.0)"));
    let scenario = parse(&text, Path::new("edited.ron")).expect("a window to the end");
    assert_eq!(
        scenario.measure,
        Some(sim::scenario::Measure {
            from_h: 2.0,
            to_h: None
        })
    );
}

/// A window that opens at or after the horizon measures no call: refused when the scenario is
/// compiled, with both hours and the fix.
#[test]
fn a_measurement_window_opens_before_the_horizon() {
    let (text, _) = edit(
        "horizon_h: Some(8.0),",
        "horizon_h: Some(8.0),\n    measure: (from_h: 8.0, to_h: 9.0),",
    );
    let scenario = parse(&text, Path::new("edited.ron")).expect("each bound is in range");
    let e = lab::Plan::compile(&scenario, &lab::inputs::Files::new(&scenario_path(".")))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    for part in [
        "measure.from_h is 8 h",
        "not before the horizon (horizon_h 8 h)",
        "below 8 h",
    ] {
        assert!(e.contains(part), "{e:?} lacks {part:?}");
    }
}
