//! Running an experiment's strategies: replications in parallel, with results that do not
//! depend on the number of threads.

use crate::plan::Plan;
use crate::summary::{Results, summarise};
use rayon::prelude::*;
use sim::RepMetrics;
use strategies::StrategySpec;

/// Runs replication `replication` of `spec` in `plan`'s world, on `plan`'s seed.
pub fn replicate(plan: &Plan, spec: &StrategySpec, replication: u32) -> RepMetrics {
    sim::run::replicate(&plan.world, spec, plan.seed, replication)
}

/// Like [`replicate`], keeping every call for inspection.
pub fn replicate_traced(
    plan: &Plan,
    spec: &StrategySpec,
    replication: u32,
) -> (RepMetrics, sim::Trace) {
    sim::run::replicate_traced(&plan.world, spec, plan.seed, replication)
}

/// Every replication of one strategy, in replication order. Replications run in parallel on the
/// current rayon pool and are collected by index, so the result does not depend on the number of
/// threads; `on_replication` is called after each one (for progress bars).
pub fn replications(
    plan: &Plan,
    spec: &StrategySpec,
    on_replication: &(dyn Fn() + Sync),
) -> Vec<RepMetrics> {
    (0..plan.replications)
        .into_par_iter()
        .map(|r| {
            let m = replicate(plan, spec, r);
            on_replication();
            m
        })
        .collect()
}

/// Every replication of every strategy in the plan, summarised. Replications run in parallel on
/// the current rayon pool; `on_replication` is called after each one (for progress bars).
pub fn run_all(plan: &Plan, on_replication: &(dyn Fn() + Sync)) -> Results {
    // Every (strategy, replication) pair in one parallel pass, so no thread waits for the last
    // replication of one strategy before the next starts; collected by index, as before.
    let reps = plan.replications as usize;
    let all: Vec<RepMetrics> = (0..plan.strategies.len() * reps)
        .into_par_iter()
        .map(|i| {
            let m = replicate(plan, &plan.strategies[i / reps], (i % reps) as u32);
            on_replication();
            m
        })
        .collect();
    let strategies = plan
        .strategies
        .iter()
        .enumerate()
        .map(|(s, spec)| summarise(spec, &all[s * reps..(s + 1) * reps]))
        .collect();
    Results::new(plan, strategies)
}
