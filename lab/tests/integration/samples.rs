//! The sample's two strategies on the sample's campaign: what the simulator exists to show.

use crate::support::{estimate, load, run};
use lab::catalogue::Metric;

fn mean(r: &lab::summary::StrategyResult, metric: Metric) -> f64 {
    estimate(r, metric).mean.expect("defined")
}

fn ci(r: &lab::summary::StrategyResult, metric: Metric) -> [f64; 2] {
    estimate(r, metric).ci95.expect("interval")
}

/// Seen with seed 2018 and 100 replications: AgentsAvailable abandons 25.3% [24.6, 26.0] of callers who
/// asked for an agent, AsWritten 91.7% [91.5, 91.9] (it dials the whole list in the first seconds).
/// The test asks for a lower bound above 80% and above 2.5 times the other's upper bound.
#[test]
fn as_written_abandons_far_more_than_agents_available() {
    let results = run(&load("seed-sample.ron"));
    let [intent, as_written] = &results.strategies[..] else {
        panic!("seed-sample.ron lists AgentsAvailable and AsWritten");
    };
    assert!(intent.name.starts_with("AgentsAvailable") && as_written.name.starts_with("AsWritten"));
    let intent_hi = ci(intent, Metric::AbandonRate)[1];
    let written_lo = ci(as_written, Metric::AbandonRate)[0];
    assert!(
        written_lo > 0.80 && written_lo > 2.5 * intent_hi,
        "AsWritten abandon rate {written_lo} (lower bound) should be far above AgentsAvailable's {intent_hi} (upper bound)"
    );
    assert!(
        ci(as_written, Metric::AbandonRateRegulatory)[0]
            > ci(intent, Metric::AbandonRateRegulatory)[1],
        "the regulatory rate must tell them apart too"
    );
    // The burst also wastes agents: fewer conversations, not more.
    assert!(mean(as_written, Metric::Connected) < mean(intent, Metric::Connected));
}

/// Under Connect's default quotas (2 starts/s, burst 5, 10 concurrent calls) the sample's code
/// gets 5 calls through; the 1,995 refused dials throw and those customers stay at -1.
#[test]
fn as_written_loses_refused_dials_under_default_quotas() {
    let results = run(&load("seed-sample-quotas.ron"));
    let [intent, as_written] = &results.strategies[..] else {
        panic!("seed-sample-quotas.ron lists AgentsAvailable and AsWritten");
    };
    assert_eq!(mean(as_written, Metric::RejectedDials), 1_995.0);
    assert_eq!(mean(as_written, Metric::Dials), 5.0);
    let never_reached = as_written
        .outcomes
        .get("-1")
        .and_then(|e| e.mean)
        .expect("-1");
    assert!(never_reached >= 1_995.0, "-1 count {never_reached}");
    assert!((mean(as_written, Metric::ListPenetration) - 5.0 / 2_000.0).abs() < 1e-12);
    // The intended loop retries refused dials and reaches the whole list.
    assert_eq!(mean(intent, Metric::ListPenetration), 1.0);
    assert!(mean(intent, Metric::RejectedDials) > 0.0);
}
