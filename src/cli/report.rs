//! `dialsim report`: the report directory of a saved results or frontier file, the same one
//! `--report` writes after a run.

use super::ReportArgs;
use std::process::ExitCode;

pub fn report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    super::guard::outputs(
        std::slice::from_ref(&args.file),
        &[super::guard::Output {
            flag: "--out",
            path: &args.out,
            kind: super::guard::OutputKind::Folder,
        }],
    )?;
    let report = reports::read(&args.file)?;
    let written = reports::write_report(&args.out, &report)?;
    println!(
        "report: {} ({} files)",
        written.index().display(),
        written.files.len()
    );
    Ok(ExitCode::SUCCESS)
}
