//! The strategies on the bundled 100-agent day under a 3% regulatory cap: what the README states.

use crate::support::load;
use lab::catalogue::Metric;
use lab::frontier::{Target, frontier};
use rules::words::AbandonDefinition as Definition;

/// Seen with 10 replications per setting: Predictive 49.40 talk min per agent-hour, Adaptive 47.71,
/// every chosen setting's upper bound under 3%.
#[test]
fn predictive_beats_adaptive_under_a_three_percent_cap() {
    let mut model = load("day-100-agents.ron");
    model.replications = 10;
    let target = Target {
        abandon: 0.03,
        definition: Definition::Regulatory,
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
