//! `dialsim`: the analysts' command line. Runs scenario files through the simulator and shows the
//! numbers users see. Exit codes: 0 success, 2 bad input (the message names the place and the fix).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
