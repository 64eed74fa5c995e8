//! `dialsim frontier`: each strategy's most productive setting whose abandon rate stays under a
//! target, its gain over a progressive dialer, and every setting tried.

use super::FrontierArgs;
use super::table::{layout_fitted, paragraph};
use lab::frontier::{Frontier, Target};
use reports::tables::{self, Decimals};
use std::fmt::Write;
use std::process::ExitCode;

pub fn frontier(args: &FrontierArgs) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    let target = args.target_abandon;
    if !(target > 0.0 && target < 1.0) {
        anyhow::bail!("--target-abandon must be between 0 and 1 (exclusive), e.g. 0.03");
    }
    let plan = common.load_model()?;
    if plan.replications < 2 {
        anyhow::bail!(
            "frontier needs at least 2 replications to bound the abandon rate, and {} has {}: use --replications 10 or more",
            common.scenario.display(),
            plan.replications
        );
    }
    if let Some(r) = args.risk
        && !(r > 0.0 && r < 1.0)
    {
        anyhow::bail!("--risk must be between 0 and 1 (exclusive), e.g. 0.05 for 5% of days");
    }
    let target = Target {
        abandon: target,
        definition: args.definition,
        risk: args.risk,
        early_looks: !args.every_replication,
    };
    let setup = common.setup();
    let pool = setup.thread_pool()?;
    // An upper bound: a knob strategy takes at most 2 + BISECTION_STEPS evaluations.
    let evaluations: u64 = 1 + plan
        .strategies
        .iter()
        .map(|s| {
            if s.knob().is_some() {
                2 + u64::from(lab::frontier::BISECTION_STEPS)
            } else {
                1
            }
        })
        .sum::<u64>();
    let bar = setup.progress(
        u64::from(plan.replications) * evaluations,
        "{bar:30} {pos}/{len} runs at most (settings × replications; early looks stop sooner)  {rate}  {elapsed} elapsed",
    );
    let result = pool.install(|| lab::frontier::frontier(&plan, target, &|| bar.inc(1)));
    bar.finish_and_clear();
    let frontier = result?;
    super::output(
        common,
        &render(&frontier),
        reports::Report::Frontier(frontier),
    )
}

pub fn render(frontier: &Frontier) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "frontier of scenario {} — seed {}, {} replications per setting, mean [95% CI]",
        frontier.scenario, frontier.seed, frontier.replications
    );
    if let Some(w) = &frontier.measure {
        out.push_str(&paragraph(&super::table::measured(w), "  "));
    }
    out.push_str(&paragraph(
        &format!("target: {}", tables::frontier_target(frontier)),
        "  ",
    ));
    out.push_str(&paragraph(
        &format!("rule: {}", tables::frontier_rule(frontier)),
        "  ",
    ));
    out.push_str(&paragraph(
        &format!(
            "gain: talk min per agent-hour over {}, paired by replication",
            frontier.reference
        ),
        "  ",
    ));
    out.push('\n');
    out.push_str(&super::table::verdict_block(
        tables::frontier_verdict_lines(frontier, Decimals::Terminal),
    ));
    let measure_header = tables::measure_header(frontier, "gain".into());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header: Vec<String> = vec!["strategy".into(), "knob".into(), "chosen".into()];
    header.extend(measure_header.iter().cloned());
    header.push("evaluations".into());
    rows.push(header);
    rows.extend(tables::chosen_rows(frontier, Decimals::Terminal));
    out.push_str(&layout_fitted(&rows));
    if frontier.strategies.iter().any(|s| !s.feasible) {
        let _ = writeln!(
            out,
            "infeasible: even the least aggressive setting fails the target; its numbers are shown"
        );
    }

    if frontier.strategies.iter().any(|s| s.knob.is_some()) {
        let rule = if frontier.risk.is_some() {
            "upper end of the interval of the days over the target below the risk"
        } else {
            "upper end of the CI below the target"
        };
        out.push('\n');
        out.push_str(&paragraph(
            &format!(
                "settings tried, by knob value (pass: {rule}; days: the replications run, fewer \
                 when an early look settled it)"
            ),
            "  ",
        ));
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header: Vec<String> = vec!["strategy".into(), "setting".into()];
        header.extend(measure_header);
        header.push("days".into());
        header.push(String::new());
        rows.push(header);
        rows.extend(tables::tried_rows(frontier, Decimals::Terminal));
        out.push_str(&layout_fitted(&rows));
    }
    out
}
