//! `dialsim frontier`: each strategy's most productive setting whose abandon rate stays under a
//! target, its gain over a progressive dialer, and every setting tried.

use super::table::{cell, layout};
use super::{Definition, FrontierArgs};
use sim::frontier::{Frontier, FrontierStrategy, Setting, Target};
use std::fmt::Write;
use std::process::ExitCode;

pub fn frontier(args: &FrontierArgs) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    let target = args.target_abandon;
    if !(target > 0.0 && target < 1.0) {
        anyhow::bail!("--target-abandon must be between 0 and 1 (exclusive), e.g. 0.03");
    }
    let model = super::load_model(common)?;
    if model.replications < 2 {
        anyhow::bail!(
            "frontier needs at least 2 replications to bound the abandon rate, and {} has {}: use --replications 10 or more",
            common.scenario.display(),
            model.replications
        );
    }
    let target = Target {
        abandon: target,
        definition: match args.definition {
            Definition::Regulatory => sim::frontier::Definition::Regulatory,
            Definition::Queue => sim::frontier::Definition::Queue,
        },
    };
    let pool = super::thread_pool(common)?;
    // An upper bound: a knob strategy takes at most 2 + BISECTION_STEPS evaluations.
    let evaluations: u64 = 1 + model
        .strategies
        .iter()
        .map(|s| {
            if s.knob().is_some() {
                2 + u64::from(sim::frontier::BISECTION_STEPS)
            } else {
                1
            }
        })
        .sum::<u64>();
    let bar = super::progress(
        common,
        u64::from(model.replications) * evaluations,
        "{bar:30} {pos}/{len} replications at most  {per_sec}  {elapsed}",
    );
    let result = pool.install(|| sim::frontier::frontier(&model, target, &|| bar.inc(1)));
    bar.finish_and_clear();
    let frontier = result?;
    print!("{}", render(&frontier));
    if let Some(path) = &common.json {
        super::write_json(path, &frontier)?;
    }
    super::write_report(common, reports::Report::Frontier(frontier))?;
    Ok(ExitCode::SUCCESS)
}

fn abandon_label(frontier: &Frontier) -> &'static str {
    match frontier.definition {
        sim::frontier::Definition::Regulatory => "abandon rate (÷ live answers) %",
        sim::frontier::Definition::Queue => "abandon rate (÷ queued) %",
    }
}

/// The cells every setting shows: abandon rate, occupancy, talk, gain.
fn measures(frontier: &Frontier, s: &FrontierStrategy, setting: &Setting) -> Vec<String> {
    vec![
        cell(Some(&setting.metric(&frontier.abandon_key)), 100.0),
        cell(Some(&setting.metric("occupancy")), 100.0),
        cell(Some(&setting.metric("talk_min_per_agent_hour")), 1.0),
        if s.reference {
            "reference".into()
        } else {
            cell(Some(&setting.gain), 1.0)
        },
    ]
}

/// A fraction in percent without float noise: 0.07 → "7", 0.0325 → "3.25".
fn percent(x: f64) -> String {
    let text = format!("{:.6}", x * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn knob_value(setting: &Setting) -> String {
    setting.value.map_or("—".into(), |v| v.to_string())
}

pub fn render(frontier: &Frontier) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "frontier of scenario {} — seed {}, {} replications per setting, mean [95% CI]",
        frontier.scenario, frontier.seed, frontier.replications
    );
    let _ = writeln!(
        out,
        "target: upper end of the 95% CI of the {} below {}%",
        abandon_label(frontier).trim_end_matches(" %"),
        percent(frontier.target_abandon)
    );
    let _ = writeln!(
        out,
        "gain: talk min per agent-hour over {}, paired by replication\n",
        frontier.reference
    );
    let measure_header = [
        abandon_label(frontier),
        "agent occupancy %",
        "talk min per agent-hour",
        "gain",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header: Vec<String> = vec!["strategy".into(), "knob".into(), "chosen".into()];
    header.extend(measure_header.iter().map(|h| h.to_string()));
    header.push("evaluations".into());
    rows.push(header);
    for s in &frontier.strategies {
        let name = if s.reference {
            format!("{} (reference)", s.name)
        } else {
            s.name.clone()
        };
        let knob = s.knob.as_ref().map_or("—".into(), |k| k.name.clone());
        let mut row = vec![name, knob];
        match (s.chosen_setting(), s.tried.first()) {
            (Some(setting), _) => {
                row.push(knob_value(setting));
                row.extend(measures(frontier, s, setting));
            }
            // Infeasible: the least aggressive setting, the only one tried, fails.
            (None, Some(lowest)) => {
                row.push("infeasible".into());
                row.extend(measures(frontier, s, lowest));
            }
            (None, None) => {
                row.push("infeasible".into());
                row.extend(["—", "—", "—", "—"].map(String::from));
            }
        }
        row.push(s.tried.len().to_string());
        rows.push(row);
    }
    out.push_str(&layout(&rows));
    if frontier.strategies.iter().any(|s| !s.feasible) {
        let _ = writeln!(
            out,
            "infeasible: even the least aggressive setting fails the target; its numbers are shown"
        );
    }

    let searched: Vec<&FrontierStrategy> = frontier
        .strategies
        .iter()
        .filter(|s| s.knob.is_some())
        .collect();
    if !searched.is_empty() {
        let _ = writeln!(
            out,
            "\nsettings tried, by knob value (pass: upper end of the CI below the target)"
        );
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header: Vec<String> = vec!["strategy".into(), "setting".into()];
        header.extend(measure_header.iter().map(|h| h.to_string()));
        header.push(String::new());
        rows.push(header);
        for s in searched {
            let knob = s.knob.as_ref().map_or("", |k| k.name.as_str());
            let mut order: Vec<usize> = (0..s.tried.len()).collect();
            order.sort_by(|&a, &b| {
                let v = |i: usize| s.tried[i].value.unwrap_or(f64::NAN);
                v(a).total_cmp(&v(b))
            });
            for (n, i) in order.into_iter().enumerate() {
                let setting = &s.tried[i];
                let mut row = vec![
                    if n == 0 {
                        s.name.clone()
                    } else {
                        String::new()
                    },
                    format!("{knob} {}", knob_value(setting)),
                ];
                row.extend(measures(frontier, s, setting));
                row.push(
                    match (setting.passes, s.chosen == Some(i)) {
                        (true, true) => "pass, chosen",
                        (true, false) => "pass",
                        (false, _) => "fail",
                    }
                    .into(),
                );
                rows.push(row);
            }
        }
        out.push_str(&layout(&rows));
    }
    out
}
