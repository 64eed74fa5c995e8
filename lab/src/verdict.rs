//! The answer first: which strategy of a results file to pick.
//!
//! A strategy **holds** the scenario's cap (`abandon_cap`, on the regulatory rate) when the upper
//! end of its regulatory rate's 95% interval is below it, and **breaches** it when the lower end
//! is above it; otherwise it is not shown either way. That is the mean-based rule (the campaign's
//! rate over all days); the share of days over the cap is reported beside it. Among the strategies
//! that hold, the most productive (talk minutes per agent-hour) is the pick and the next one the
//! runner-up; their difference, and the pick's gain over a `Progressive` strategy of the file,
//! are paired day by day (the same replication is the same day for every strategy) with a 95%
//! interval, from the file's `days.talk_min_per_agent_hour`.

use crate::catalogue::Metric;
use crate::compare::paired_difference;
use crate::stats::Estimate;
use crate::summary::{Results, StrategyResult};
use strategies::StrategySpec;

/// One strategy as the verdict names it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    pub name: String,
    pub talk: Estimate,
    pub abandon_regulatory: Estimate,
    /// The share of days over the cap, with its exact binomial interval.
    pub days_over_cap: Estimate,
    /// Talk minutes per agent-hour over the file's `Progressive` strategy, paired by day; `None`
    /// without one (or for the progressive strategy itself).
    pub gain_over_progressive: Option<(String, Estimate)>,
}

/// What a results file answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub cap: f64,
    /// The most productive strategy that holds the cap; `None` when none does.
    pub best: Option<Pick>,
    pub runner_up: Option<Pick>,
    /// Best minus runner-up talk minutes per agent-hour, paired by day.
    pub best_over_runner_up: Option<Estimate>,
    /// Strategies whose regulatory rate is shown over the cap, with it.
    pub breaching: Vec<(String, Estimate)>,
    /// Strategies shown neither under nor over the cap.
    pub undecided: Vec<(String, Estimate)>,
}

fn metric(s: &StrategyResult, m: Metric) -> Estimate {
    s.metrics.get(m).copied().unwrap_or(Estimate::UNDEFINED)
}

fn paired(a: &StrategyResult, b: &StrategyResult) -> Option<Estimate> {
    let (x, y) = (
        &a.days.talk_min_per_agent_hour,
        &b.days.talk_min_per_agent_hour,
    );
    (!x.is_empty() && x.len() == y.len()).then(|| paired_difference(x, y))
}

/// The verdict of `results` (see the module documentation).
pub fn verdict(results: &Results) -> Verdict {
    let cap = results.abandon_cap;
    let progressive = results
        .strategies
        .iter()
        .find(|s| matches!(s.strategy, StrategySpec::Progressive { .. }));
    let mut holding: Vec<&StrategyResult> = Vec::new();
    let mut breaching = Vec::new();
    let mut undecided = Vec::new();
    for s in &results.strategies {
        let rate = metric(s, Metric::AbandonRateRegulatory);
        match rate.ci95 {
            Some([_, hi]) if hi < cap => holding.push(s),
            Some([lo, _]) if lo > cap => breaching.push((s.name.clone(), rate)),
            _ => undecided.push((s.name.clone(), rate)),
        }
    }
    let talk = |s: &StrategyResult| {
        metric(s, Metric::TalkMinPerAgentHour)
            .mean
            .unwrap_or(f64::NEG_INFINITY)
    };
    // Most talk first; on a tie, the scenario's order.
    holding.sort_by(|a, b| talk(b).total_cmp(&talk(a)));
    let pick = |s: &StrategyResult| Pick {
        name: s.name.clone(),
        talk: metric(s, Metric::TalkMinPerAgentHour),
        abandon_regulatory: metric(s, Metric::AbandonRateRegulatory),
        days_over_cap: metric(s, Metric::DaysOverCapRegulatory),
        gain_over_progressive: progressive
            .filter(|p| p.name != s.name)
            .and_then(|p| paired(s, p).map(|g| (p.name.clone(), g))),
    };
    let best = holding.first().copied();
    let runner_up = holding.get(1).copied();
    Verdict {
        cap,
        best: best.map(pick),
        runner_up: runner_up.map(pick),
        best_over_runner_up: best.zip(runner_up).and_then(|(b, r)| paired(b, r)),
        breaching,
        undecided,
    }
}
