//! Early looks in the frontier search: a setting settled on its first days must not change what
//! the search chooses, against the same search running every setting on every replication.

use crate::support::load;
use lab::frontier::{Frontier, Target, frontier};
use rules::words::AbandonDefinition as Definition;

fn search(early_looks: bool, risk: Option<f64>) -> Frontier {
    let mut model = load("frontier-quick.ron");
    model.replications = 20;
    let target = Target {
        abandon: 0.03,
        definition: Definition::Regulatory,
        risk,
        early_looks,
    };
    frontier(&model, target, &|| {}).expect("a valid target")
}

fn days_run(f: &Frontier) -> u32 {
    f.strategies
        .iter()
        .flat_map(|s| &s.tried)
        .map(|t| t.replications)
        .sum()
}

#[test]
fn early_looks_choose_what_every_replication_chooses() {
    for risk in [None, Some(0.25)] {
        let early = search(true, risk);
        let every = search(false, risk);
        early.validate().expect("the early search's file validates");
        every.validate().expect("the full search's file validates");
        for (e, f) in early.strategies.iter().zip(&every.strategies) {
            assert_eq!(e.name, f.name);
            // The chosen setting ran every day, so it is the very same evaluation.
            assert_eq!(
                e.chosen_setting(),
                f.chosen_setting(),
                "{} (risk {risk:?}): early looks chose otherwise",
                e.name
            );
            for t in &e.tried {
                assert!(t.replications == 20 || t.replications == 5 || t.replications == 10);
                // Where both tried a value, an early verdict is the full one.
                if let Some(full) = f.tried.iter().find(|u| u.value == t.value) {
                    assert_eq!(t.passes, full.passes, "{} (risk {risk:?})", t.name);
                }
            }
        }
        assert!(
            every
                .strategies
                .iter()
                .flat_map(|s| &s.tried)
                .all(|t| t.replications == 20),
            "without early looks every setting runs every day"
        );
        let (saved, all) = (days_run(&early), days_run(&every));
        assert!(
            saved < all,
            "early looks ran {saved} days, the full search {all}"
        );
    }
}

/// A setting is looked at after a quarter of the days, then twice as many: with 20 days, after
/// 5 and 10; a setting whose days already prove it over the target stops there.
#[test]
fn a_setting_far_over_the_target_stops_at_the_first_look() {
    let early = search(true, None);
    let far = early
        .strategies
        .iter()
        .flat_map(|s| &s.tried)
        .filter(|t| {
            t.value.is_some_and(|v| v >= 0.25) && t.strategy.label().starts_with("Predictive")
        })
        .collect::<Vec<_>>();
    assert!(!far.is_empty(), "Predictive's high end was tried");
    for t in far {
        assert!(
            !t.passes && t.replications == 5,
            "{}: {} days",
            t.name,
            t.replications
        );
    }
}
