//! `dialsim`: the analysts' command line. Runs scenario files through the simulator and shows the
//! numbers users see. Exit codes: 0 success, 2 bad input (the message names the place and the fix).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Output piped into `head` or a pager that quits: end quietly, as Unix tools do, instead of
    // panicking on the first write to the closed pipe (Rust ignores SIGPIPE by default).
    #[cfg(unix)]
    // SAFETY: called first thing, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
