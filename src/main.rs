//! The crossover-sim binary: parse arguments, call the library, print, set the exit status.

mod commands;

use clap::Parser;
use crossover_sim::{cli, config, interrupt};
use std::process::ExitCode;

fn main() -> ExitCode {
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
