//! `dialsim run`: every strategy of one scenario, a table on the terminal, optionally a JSON file.

use super::RunArgs;
use super::table;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::process::ExitCode;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let (_, model) = sim::load::load_with(&args.scenario, |scenario| {
        if let Some(r) = args.replications {
            scenario.replications = r;
        }
        if let Some(s) = args.seed {
            scenario.seed = s;
        }
    })?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.map_or(0, |j| j as usize))
        .build()
        .context("cannot start worker threads")?;
    let total = u64::from(model.replications) * model.strategies.len() as u64;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} replications  {per_sec}  eta {eta}")
            .expect("valid template"),
    );
    let results = pool.install(|| sim::run::run_all(&model, &|| bar.inc(1)));
    bar.finish_and_clear();
    print!("{}", table::render(&results));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&results).context("cannot encode results")?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write results to {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
