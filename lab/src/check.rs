//! What `dialsim check` runs for one scenario: every strategy's replications, summarised, every
//! gate judged, and the per-replication values a baseline needs for paired comparisons.

use crate::catalogue::Metric;
use crate::compare::paired_values;
use crate::gates::{Judge, Verdict};
use crate::plan::Plan;
use crate::run::replications;
use crate::summary::{Metrics, StrategyResult, summarise};
use rayon::prelude::*;

/// One strategy under the scenario's gates.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyCheck {
    pub result: StrategyResult,
    /// One verdict per gate, in the scenario's order.
    pub verdicts: Vec<Verdict>,
    /// Per-replication values of every [`Metric::COMPARED`] metric (`None`: undefined there).
    pub per_replication: Metrics<Vec<Option<f64>>>,
}

impl StrategyCheck {
    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.passed)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioCheck {
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub strategies: Vec<StrategyCheck>,
}

/// Runs every strategy of `plan` and judges its gates. Deterministic whatever the number of
/// threads, like [`crate::run::run_all`].
pub fn check(plan: &Plan, on_replication: &(dyn Fn() + Sync)) -> ScenarioCheck {
    // Strategies run side by side (their replications too), so no thread waits for one
    // strategy's last replication; results are collected in order.
    let strategies = plan
        .strategies
        .par_iter()
        .map(|spec| {
            let reps = replications(plan, spec, on_replication);
            let result = summarise(spec, &reps);
            let verdicts = plan.gates.iter().map(|g| g.judge(&result, &reps)).collect();
            let per_replication = Metric::COMPARED
                .into_iter()
                .zip(paired_values(&reps))
                .collect();
            StrategyCheck {
                result,
                verdicts,
                per_replication,
            }
        })
        .collect();
    ScenarioCheck {
        scenario: plan.name.clone(),
        seed: plan.seed,
        replications: plan.replications,
        strategies,
    }
}
