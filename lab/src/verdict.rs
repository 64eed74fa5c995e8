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
use crate::frontier::{Frontier, FrontierStrategy, Setting};
use crate::stats::Estimate;
use crate::summary::{Results, StrategyResult};
use crate::sweep::{Row, SweepResults};
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

/// The answer at one setting of a sweep's scenario axes.
#[derive(Clone, Debug, PartialEq)]
pub struct PointVerdict {
    /// The values of the scenario's axes there ([`SweepResults::scenario_axes`], in order).
    pub values: Vec<f64>,
    /// The most productive strategy that holds the cap there (at its best value of the
    /// strategy axes); `None` when none does.
    pub best: Option<PointPick>,
    /// The strategy settings run there (a strategy an axis does not set counted once).
    pub candidates: usize,
    /// Those shown over the cap, by label.
    pub breaching: Vec<String>,
}

/// A sweep's pick at one setting of its scenario axes.
#[derive(Clone, Debug, PartialEq)]
pub struct PointPick {
    /// Its position in the sweep's strategies.
    pub strategy: usize,
    /// Its label there, the strategy axes' values set ("FixedRatio(1.5, poll 1s)").
    pub name: String,
    pub talk: Estimate,
    pub abandon_regulatory: Estimate,
}

/// What a sweep answers at each setting of the axes on the scenario (staffing, ring timeout…):
/// every strategy at every value of the axes on strategies' fields (`strategy.ratio`) is a
/// candidate, and of those that hold the cap (the upper end of the regulatory rate's 95% interval
/// below it, as in [`verdict`]) the one with the most talk minutes per agent-hour is the pick.
/// A sweep of strategy axes alone has one setting. A sweep keeps no days, so the pick is the
/// highest mean, not a paired comparison. The cap is the file's (the default for files that did
/// not record it).
pub fn sweep_verdicts(r: &SweepResults) -> Vec<PointVerdict> {
    let cap = sweep_cap(r);
    let n = r.sweep.strategies.len().max(1);
    let scenario = r.scenario_axes();
    let key =
        |row: &Row| -> Vec<u64> { scenario.iter().map(|&a| row.values[a].to_bits()).collect() };
    let mut groups: Vec<(Vec<u64>, Vec<usize>)> = Vec::new();
    for (k, row) in r.rows.iter().enumerate() {
        if !r.shown_once(k) {
            continue;
        }
        let key = key(row);
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, members)) => members.push(k),
            None => groups.push((key, vec![k])),
        }
    }
    let of = |row: &Row, m: Metric| row.metrics.get(m).copied().unwrap_or(Estimate::UNDEFINED);
    groups
        .into_iter()
        .map(|(_, members)| {
            let mut best: Option<(usize, f64)> = None;
            let mut breaching = Vec::new();
            for &k in &members {
                let row = &r.rows[k];
                match row
                    .metrics
                    .get(Metric::AbandonRateRegulatory)
                    .and_then(|e| e.ci95)
                {
                    Some([_, hi]) if hi < cap => {
                        let talk = of(row, Metric::TalkMinPerAgentHour)
                            .mean
                            .unwrap_or(f64::NEG_INFINITY);
                        // Most talk first; on a tie, the file's order.
                        if best.is_none_or(|(_, t)| talk > t) {
                            best = Some((k, talk));
                        }
                    }
                    Some([lo, _]) if lo > cap => breaching.push(row.shown().to_string()),
                    _ => {}
                }
            }
            let first = &r.rows[members[0]];
            PointVerdict {
                values: scenario.iter().map(|&a| first.values[a]).collect(),
                best: best.map(|(k, _)| {
                    let row = &r.rows[k];
                    PointPick {
                        strategy: k % n,
                        name: row.shown().to_string(),
                        talk: of(row, Metric::TalkMinPerAgentHour),
                        abandon_regulatory: of(row, Metric::AbandonRateRegulatory),
                    }
                }),
                candidates: members.len(),
                breaching,
            }
        })
        .collect()
}

/// A sweep's cap on the regulatory rate: the file's, or the default for files of versions that
/// did not record it.
pub fn sweep_cap(r: &SweepResults) -> f64 {
    r.sweep
        .abandon_cap
        .unwrap_or(rules::abandonment::DEFAULT_ABANDON_CAP)
}

/// A frontier's pick: a strategy at its chosen setting.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingPick {
    /// The strategy as the scenario lists it.
    pub strategy: String,
    /// The chosen setting's label ("FixedRatio(5.72, poll 1s)").
    pub setting: String,
    /// The knob searched and its chosen value; `None` for a strategy without one.
    pub knob: Option<(String, f64)>,
    pub talk: Estimate,
    /// The rate the target caps (the frontier's definition).
    pub abandon: Estimate,
    /// Over the frontier's reference, paired by day; `None` for the reference itself.
    pub gain: Option<Estimate>,
}

/// What a frontier file answers: of the strategies whose chosen setting meets the target, the
/// one with the most talk minutes per agent-hour and the next; their difference paired by day
/// (chosen settings run every day, the same days); the strategies that cannot meet it.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierVerdict {
    pub best: Option<SettingPick>,
    pub runner_up: Option<SettingPick>,
    pub best_over_runner_up: Option<Estimate>,
    /// Strategies no setting of which meets the target.
    pub infeasible: Vec<String>,
}

/// The verdict of a frontier (see [`FrontierVerdict`]).
pub fn frontier_verdict(f: &Frontier) -> FrontierVerdict {
    let abandon = Metric::abandon_rate(f.definition);
    let mut chosen: Vec<(&FrontierStrategy, &Setting)> = f
        .strategies
        .iter()
        .filter_map(|s| s.chosen_setting().map(|c| (s, c)))
        .collect();
    let talk = |c: &Setting| {
        c.metric(Metric::TalkMinPerAgentHour)
            .mean
            .unwrap_or(f64::NEG_INFINITY)
    };
    // Most talk first; on a tie, the file's order.
    chosen.sort_by(|a, b| talk(b.1).total_cmp(&talk(a.1)));
    let pick = |(s, c): &(&FrontierStrategy, &Setting)| SettingPick {
        strategy: s.name.clone(),
        setting: c.name.clone(),
        knob: s
            .knob
            .as_ref()
            .zip(c.value)
            .map(|(k, v)| (k.name.clone(), v)),
        talk: c.metric(Metric::TalkMinPerAgentHour),
        abandon: c.metric(abandon),
        gain: (!s.reference).then_some(c.gain),
    };
    let best_over_runner_up = match (chosen.first(), chosen.get(1)) {
        (Some((_, a)), Some((_, b)))
            if !a.talk_days.is_empty() && a.talk_days.len() == b.talk_days.len() =>
        {
            Some(paired_difference(&a.talk_days, &b.talk_days))
        }
        _ => None,
    };
    FrontierVerdict {
        best: chosen.first().map(pick),
        runner_up: chosen.get(1).map(pick),
        best_over_runner_up,
        infeasible: f
            .strategies
            .iter()
            .filter(|s| s.chosen.is_none())
            .map(|s| s.name.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Ordered;
    use crate::sweep::{Axis, Header};

    fn estimate(mean: f64, half: f64) -> Estimate {
        Estimate {
            mean: Some(mean),
            ci95: Some([mean - half, mean + half]),
        }
    }

    /// Agents 4 and 6 × ratio 1 and 2, strategies P (no ratio) and F (the ratio sets it);
    /// `rows` gives (regulatory rate, talk) per point and strategy in grid order.
    fn sweep(rows: [(f64, f64); 8]) -> SweepResults {
        let points = vec![
            vec![4.0, 1.0],
            vec![4.0, 2.0],
            vec![6.0, 1.0],
            vec![6.0, 2.0],
        ];
        let names = ["P", "F"];
        SweepResults {
            format: crate::sweep::FORMAT.into(),
            sweep: Header {
                scenario: "t".into(),
                seed: 1,
                replications: 10,
                identity: "x".into(),
                axes: vec![
                    Axis {
                        field: "agents.staffing.Count".into(),
                        values: vec![4.0, 6.0],
                        sets: None,
                    },
                    Axis {
                        field: "strategy.ratio".into(),
                        values: vec![1.0, 2.0],
                        sets: Some(vec![1]),
                    },
                ],
                points: points.clone(),
                strategies: names.iter().map(|n| n.to_string()).collect(),
                specs: Vec::new(),
                abandon_cap: Some(0.03),
            },
            rows: rows
                .iter()
                .enumerate()
                .map(|(k, &(rate, talk))| Row {
                    values: points[k / 2].clone(),
                    strategy: names[k % 2].into(),
                    label: (k % 2 == 1).then(|| format!("F{}", points[k / 2][1])),
                    metrics: [
                        (Metric::AbandonRateRegulatory, estimate(rate, 0.002)),
                        (Metric::TalkMinPerAgentHour, estimate(talk, 1.0)),
                    ]
                    .into_iter()
                    .collect(),
                    outcomes: Ordered(vec![]),
                })
                .collect(),
        }
    }

    #[test]
    fn a_sweep_picks_per_scenario_setting_among_every_strategy_setting() {
        let r = sweep([
            (0.01, 30.0), // 4 agents, ratio 1: P
            (0.02, 35.0), // F1
            (0.01, 30.0), // ratio 2: P again (the same run)
            (0.05, 40.0), // F2: over the cap
            (0.01, 31.0), // 6 agents: P
            (0.04, 36.0), // F1 over
            (0.01, 31.0),
            (0.05, 38.0), // F2 over
        ]);
        let v = sweep_verdicts(&r);
        assert_eq!(v.len(), 2, "one verdict per agents staffed");
        assert_eq!(v[0].values, [4.0]);
        // P counted once, F at both ratios.
        assert_eq!(v[0].candidates, 3);
        let best = v[0].best.as_ref().unwrap();
        assert_eq!((best.strategy, best.name.as_str()), (1, "F1"));
        assert_eq!(v[0].breaching, ["F2"]);
        let best = v[1].best.as_ref().unwrap();
        assert_eq!((best.strategy, best.name.as_str()), (0, "P"));
        assert_eq!(v[1].breaching, ["F1", "F2"]);
    }

    #[test]
    fn no_pick_where_every_setting_is_over_or_undecided() {
        let r = sweep([
            (0.05, 30.0),
            (0.05, 35.0),
            (0.05, 30.0),
            (0.031, 40.0), // undecided: the interval holds the cap
            (0.01, 31.0),
            (0.02, 36.0),
            (0.01, 31.0),
            (0.02, 38.0),
        ]);
        let v = sweep_verdicts(&r);
        assert_eq!(v[0].best, None);
        assert_eq!(v[0].breaching, ["P", "F1"]);
        assert_eq!(v[1].best.as_ref().unwrap().name, "F2");
    }
}
