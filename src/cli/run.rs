//! `dialsim run`: every strategy of one scenario, a table on the terminal, optionally a JSON file.

use super::RunArgs;
use super::table;
use std::process::ExitCode;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args)?;
    let pool = super::thread_pool(args)?;
    let total = u64::from(model.replications) * model.strategies.len() as u64;
    let bar = super::progress(
        args,
        total,
        "{bar:30} {pos}/{len} replications  {per_sec}  eta {eta}",
    );
    let results = pool.install(|| sim::run::run_all(&model, &|| bar.inc(1)));
    bar.finish_and_clear();
    print!("{}", table::render(&results));
    if let Some(path) = &args.json {
        super::write_json(path, &results)?;
    }
    super::write_report(args, reports::Report::Results(results))?;
    Ok(ExitCode::SUCCESS)
}
