//! The crossover-sim binary: parse arguments, call the library, print, set the exit status.

mod commands;

use clap::Parser;
use crossover_sim::{cli, config, interrupt};
use std::process::ExitCode;

fn main() -> ExitCode {
    // A closed stdout (`crossover-sim run ... | head`) ends the process quietly, as for any Unix
    // filter, instead of a panic in `println!`: Rust ignores SIGPIPE unless told otherwise.
    // Result files are complete by the time anything is printed.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // First, before any worker thread exists: a signal is then honoured at every stage.
    interrupt::install_handler();
    let cli = cli::Cli::parse();
    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", config::tidy_numbers(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
