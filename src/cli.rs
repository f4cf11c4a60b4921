//! Command-line arguments (clap derive) and the terminal progress bar.

use clap::{Parser, Subcommand};
use crossover_sim::engine::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

/// Monte Carlo operating characteristics of crossover trials with interim analyses.
#[derive(Debug, Parser)]
#[command(name = "crossover-sim", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by commands that run simulations.
#[derive(Debug, clap::Args)]
pub struct RunOptions {
    /// Override simulation.replicates.
    #[arg(long)]
    pub replicates: Option<u64>,
    /// Override simulation.seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Results folder; each config writes to OUT/<name>/.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Override any config key, e.g. --set design.enrolled=40 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar and no summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate one or more configs and write results/<name>/summary.{json,csv,md}.
    Run {
        /// Config files.
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        /// Run only shard K of N (contiguous replicate ranges) and write
        /// OUT/<name>/shards/shard-K-of-N.json for `merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Merge shard files into the summary (or sweep) files of a single run.
    Merge {
        /// Shard files written by `run --shard` or `sweep --shard`.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Results folder.
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a config at every point of a grid of one or two dotted keys (common random numbers).
    Sweep {
        /// Config file.
        config: PathBuf,
        /// Dotted key to vary, e.g. design.enrolled.
        #[arg(long)]
        param: String,
        /// Values: start:end:step (inclusive) or a comma-separated list.
        #[arg(long)]
        values: String,
        /// Optional second key (a grid).
        #[arg(long, requires = "values2")]
        param2: Option<String>,
        /// Values of the second key.
        #[arg(long, requires = "param2")]
        values2: Option<String>,
        /// Report the smallest grid value whose power reaches this target.
        #[arg(long)]
        target_power: Option<f64>,
        /// Run only shard K of N of every grid point's replicates (for `merge`).
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Run every config in folders or files; a failing config does not stop the others.
    Batch {
        /// Folders (searched for *.toml) and config files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Check the seed trial's published design claims and write claim.md with plots.
    Claim {
        /// The williams2018 config.
        config: PathBuf,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Check configs without running them.
    Validate {
        /// Config files.
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        /// Override any config key before validating.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
    },
    /// Print group-sequential efficacy boundaries.
    Boundaries {
        /// Information fractions (or enrollment counts), comma-separated, e.g. 0.5,1.
        #[arg(long, value_delimiter = ',', required = true)]
        looks: Vec<f64>,
        /// obrien_fleming, pocock, hwang_shih_decani, kim_demets (Lan-DeMets spending), or
        /// obrien_fleming_total_alpha; or classical_obrien_fleming, classical_pocock,
        /// haybittle_peto.
        #[arg(long, default_value = "obrien_fleming")]
        spending: String,
        /// Overall alpha.
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        /// 1 or 2.
        #[arg(long, default_value_t = 2)]
        sided: u8,
        /// Hwang-Shih-DeCani gamma.
        #[arg(long)]
        gamma: Option<f64>,
        /// Kim-DeMets rho.
        #[arg(long)]
        rho: Option<f64>,
        /// Haybittle-Peto interim z.
        #[arg(long, default_value_t = 3.0)]
        interim_z: f64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Set by the SIGINT/SIGTERM handler; the engine checks it before each block of replicates.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler that turns SIGINT and SIGTERM into a clean stop: the run ends at the
/// next block, writes nothing, and the process exits with status 130.
pub fn install_interrupt_handler() {
    // If a handler cannot be installed the default (immediate termination) still loses nothing,
    // because every result file is written to a temporary name and renamed.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// A progress bar on a terminal, nothing otherwise; also relays interruption to the engine.
pub struct Bar(pub ProgressBar);

impl Bar {
    /// A bar for `total` replicates, hidden when stderr is not a terminal or `quiet`.
    pub fn new(total: u64, label: &str, quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} replicates ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        Bar(bar)
    }
}

impl Progress for Bar {
    fn replicates_done(&self, n: u64) {
        self.0.inc(n);
    }

    fn cancelled(&self) -> bool {
        INTERRUPTED.load(Ordering::Relaxed)
    }
}

/// No display, but interruptible (batch and claim runs).
pub struct Interruptible;

impl Progress for Interruptible {
    fn cancelled(&self) -> bool {
        INTERRUPTED.load(Ordering::Relaxed)
    }
}
