//! The strategies on the bundled 100-agent day under a 3% regulatory cap: what the README states.

use crate::support::load;
use lab::catalogue::Metric;
use lab::frontier::{Target, frontier};
use rules::words::AbandonDefinition as Definition;

/// Seen with 10 replications per setting: Predictive 49.80 talk min per agent-hour, Adaptive 47.85
/// (max level 1.74), every chosen setting's upper bound under 3%.
#[test]
fn predictive_beats_adaptive_under_a_three_percent_cap() {
    let mut model = load("day-100-agents.ron");
    model.replications = 10;
    let target = Target {
        abandon: 0.03,
        definition: Definition::Regulatory,
        risk: None,
        early_looks: true,
    };
    let f = frontier(&model, target, &|| {}).expect("a valid target");
    let talk = |prefix: &str| {
        let s = f
            .strategies
            .iter()
            .find(|s| s.name.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} is in day-100-agents.ron"));
        let chosen = s
            .chosen_setting()
            .unwrap_or_else(|| panic!("{prefix} has a setting under the cap"));
        chosen
            .metric(Metric::TalkMinPerAgentHour)
            .mean
            .expect("defined")
    };
    for s in f.strategies.iter().filter(|s| s.knob.is_some()) {
        let chosen = s
            .chosen_setting()
            .unwrap_or_else(|| panic!("{} found no setting under 3%", s.name));
        let [_, upper] = chosen
            .metric(Metric::AbandonRateRegulatory)
            .ci95
            .expect("interval");
        assert!(upper < 0.03, "{}: upper bound {upper}", s.name);
    }
    let (predictive, adaptive) = (talk("Predictive"), talk("Adaptive"));
    assert!(
        predictive >= adaptive,
        "Predictive {predictive} talk min per agent-hour, Adaptive {adaptive}"
    );
    // And both are far above progressive dialing.
    assert!(adaptive > talk("Progressive") + 10.0);
}

/// The risk-based rule judges each setting by its days: the share of days whose regulatory rate
/// is over 3%, by the upper end of its exact binomial interval, against the risk. Every verdict
/// follows from the days it reports, the chosen settings hold, and the file validates.
#[test]
fn a_risk_based_frontier_chooses_by_the_share_of_bad_days() {
    let mut model = load("small-team.ron");
    model.replications = 20;
    let target = Target {
        abandon: 0.03,
        definition: Definition::Regulatory,
        risk: Some(0.2),
        early_looks: true,
    };
    let f = frontier(&model, target, &|| {}).expect("a valid target");
    f.validate().expect("a valid frontier file");
    assert_eq!(f.risk, Some(0.2));
    let mut chosen = 0;
    for s in &f.strategies {
        for t in &s.tried {
            let days = t.days_over_target.expect("days under the risk-based rule");
            let upper = days.ci95.expect("an interval")[1];
            if t.replications == model.replications {
                assert_eq!(t.passes, upper < 0.2, "{}: {days:?}", t.name);
            } else {
                // Settled early only when certain: 20 days prove 20% with none over, so an
                // early look can only fail a setting, on days already over the target.
                assert!(!t.passes && upper >= 0.2, "{}: {days:?}", t.name);
            }
        }
        if let Some(c) = s.chosen_setting() {
            chosen += 1;
            assert!(c.passes);
        }
    }
    assert!(
        chosen >= 2,
        "the reference and at least one other strategy hold"
    );
    // 20 days prove a risk of 20% only with no day over the cap: 1 − 0.025^(1/20) = 16.8%.
    let held = f.strategies.iter().filter_map(|s| s.chosen_setting());
    for c in held {
        assert_eq!(c.days_over_target.unwrap().mean, Some(0.0), "{}", c.name);
    }
    let bad = Target {
        risk: Some(1.0),
        ..target
    };
    assert!(frontier(&model, bad, &|| {}).is_err());
}

/// Every learning pacer starts from a safe state and ramps: on the 100-agent day none with a
/// target of 3% or less has a worst hour above 6% (README, "Start-up and the worst hours of a
/// day"); before the warm start, FreePlusBusy's first minutes read a hit rate of a few percent
/// and its worst hour was 8.5%.
#[test]
fn no_learning_pacer_has_a_worst_hour_above_six_percent() {
    let mut model = load("day-100-agents.ron");
    model.replications = 4;
    model
        .strategies
        .retain(|s| s.target_abandon().is_some_and(|t| t <= 0.03));
    assert_eq!(model.strategies.len(), 4, "the day's four learning pacers");
    let results = crate::support::run(&model);
    for s in &results.strategies {
        let worst = crate::support::estimate(s, Metric::AbandonRateRegulatoryWorstHour)
            .mean
            .expect("defined");
        assert!(worst < 0.06, "{}: worst hour {worst}", s.name);
    }
}
