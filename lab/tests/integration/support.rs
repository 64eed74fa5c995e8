//! Shared helpers: loading bundled scenarios and reading estimates out of results.

use lab::catalogue::Metric;
use lab::stats::Estimate;
use lab::summary::StrategyResult;
use lab::{Plan, Results};
use std::path::PathBuf;

/// A file under the repository's `scenarios/` folder.
pub fn scenario_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(relative)
}

pub fn load(relative: &str) -> Plan {
    let path = scenario_path(relative);
    lab::load::load(&path)
        .unwrap_or_else(|e| panic!("bundled scenario {} must load: {e}", path.display()))
        .1
}

pub fn run(model: &Plan) -> Results {
    lab::run::run_all(model, &|| {})
}

pub fn estimate(result: &StrategyResult, metric: Metric) -> Estimate {
    *result
        .metrics
        .get(metric)
        .unwrap_or_else(|| panic!("results have no metric {metric:?}"))
}

/// Asserts that `expected` lies inside the 95% interval of `metric`.
pub fn assert_within_ci(result: &StrategyResult, metric: Metric, expected: f64) {
    let key = metric.key();
    let e = estimate(result, metric);
    let [lo, hi] = e.ci95.unwrap_or_else(|| panic!("{key} has no interval"));
    assert!(
        lo <= expected && expected <= hi,
        "{key}: closed form {expected:.5} outside the simulated 95% CI [{lo:.5}, {hi:.5}] (mean {:.5})",
        e.mean.unwrap_or(f64::NAN)
    );
}
