//! The crate's top-level error: everything a command can fail with.

use crate::config::ConfigError;
use crate::report::ReportError;
use crate::sequential::boundaries::BoundaryError;

/// Any failure of a crossover-sim command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config is unreadable or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The boundaries cannot be computed for this design.
    #[error("{origin}: sequential.efficacy: {source}")]
    Boundary {
        /// Config path.
        origin: String,
        /// The boundary error.
        source: BoundaryError,
    },
    /// Results cannot be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A command-line argument is invalid.
    #[error("{0}")]
    Usage(String),
    /// A job's parameter is invalid: `name` is what the caller calls it (the command line
    /// passes its flag, e.g. `--shard`; library callers get the parameter's name).
    #[error("{name} {value}: {reason}")]
    Argument {
        /// The parameter's name, as the caller calls it.
        name: String,
        /// The value given.
        value: String,
        /// Why it is refused, and what is allowed.
        reason: String,
    },
    /// The sample-size search needs a design whose power is known exactly.
    #[error("{origin}: the sample-size search needs a design whose power is known exactly, but {reason}; sweep design.enrolled with target power {target} to find N by simulation")]
    NoExactPower {
        /// Config path.
        origin: String,
        /// Why the design's power is not known exactly.
        reason: String,
        /// The target power.
        target: f64,
    },
    /// The command was interrupted (SIGINT or SIGTERM). A signal during simulation discards the
    /// results in progress; one during a write lets the files being written complete first.
    #[error(
        "interrupted: stopped early; every result file is either completely written or untouched"
    )]
    Interrupted,
    /// Anything else, with its message.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// An invalid parameter `name` = `value`, and why.
    pub fn argument(name: &str, value: &str, reason: impl Into<String>) -> Error {
        Error::Argument {
            name: name.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Exit status: 2 for bad input (config, overrides), 1 for failures while running or writing.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_)
            | Error::Boundary { .. }
            | Error::Usage(_)
            | Error::Argument { .. }
            | Error::NoExactPower { .. } => 2,
            Error::Report(_) | Error::Other(_) => 1,
            Error::Interrupted => 130,
        }
    }
}
