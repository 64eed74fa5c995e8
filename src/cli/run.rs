//! `dialsim run`: every strategy of one scenario, a table on the terminal, optionally a JSON file.

use super::RunArgs;
use super::table;
use std::process::ExitCode;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let plan = args.load_model()?;
    let setup = args.setup();
    let pool = setup.thread_pool()?;
    let bar = setup.progress(super::total_replications(&plan), super::REPLICATIONS_BAR);
    let results = pool.install(|| lab::run::run_all(&plan, &|| bar.inc(1)));
    bar.finish_and_clear();
    super::output(
        args,
        &table::render(&results),
        reports::Report::Results(results),
    )
}
