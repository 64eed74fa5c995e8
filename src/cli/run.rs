//! `dialsim run`: every strategy of one scenario, a table on the terminal, optionally a JSON file
//! and the first strategy's calls as Amazon Connect contact records.

use super::RunArgs;
use super::table;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct RunCommand {
    #[command(flatten)]
    pub common: RunArgs,
    /// Also write the calls of the first strategy as Amazon Connect contact records, one JSON
    /// object per line (gzip when the name ends in .gz), each replication a day from
    /// 2026-03-02, delivered as Connect does (some twice): records `dialsim calibrate` reads.
    #[arg(long, value_name = "FILE")]
    pub contact_records: Option<PathBuf>,
}

pub fn run(cmd: &RunCommand) -> anyhow::Result<ExitCode> {
    let args = &cmd.common;
    let plan = args.load_model()?;
    if let Some(path) = &cmd.contact_records {
        super::guard::outputs(
            std::slice::from_ref(&args.scenario),
            &[super::guard::Output {
                flag: "--contact-records",
                path,
                kind: super::guard::OutputKind::File,
            }],
        )?;
    }
    let setup = args.setup();
    let pool = setup.thread_pool()?;
    let bar = setup.progress(super::total_replications(&plan), super::REPLICATIONS_BAR);
    let results = pool.install(|| lab::run::run_all(&plan, &|| bar.inc(1)));
    bar.finish_and_clear();
    if let Some(path) = &cmd.contact_records {
        write_contact_records(&plan, path)?;
    }
    super::output(
        args,
        &table::render(&results),
        reports::Report::Results(results),
    )
}

/// The calls of the plan's first strategy, every replication, as contact records.
fn write_contact_records(plan: &lab::Plan, path: &Path) -> anyhow::Result<()> {
    let records = (0..plan.replications).flat_map(|replication| {
        let (_, trace) = lab::run::replicate_traced(plan, &plan.strategies[0], replication);
        let facts =
            calibrate::simulated::day_of_calls(&plan.world, &trace, &plan.name, replication);
        let delivery = contact_records::write::Delivery {
            seed: u64::from(replication),
            ..contact_records::write::Delivery::AT_LEAST_ONCE
        };
        contact_records::write::deliveries(&facts, delivery)
    });
    contact_records::write::write_file(path, records)
        .with_context(|| format!("cannot write the contact records to {}", path.display()))?;
    eprintln!(
        "contact records: {} ({} days of {})",
        path.display(),
        plan.replications,
        plan.strategies[0].label()
    );
    Ok(())
}
