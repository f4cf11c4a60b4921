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
    /// Exit status: 2 for bad input (config, overrides), 1 for failures while running or writing.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Boundary { .. } | Error::Usage(_) => 2,
            Error::Report(_) | Error::Other(_) => 1,
            Error::Interrupted => 130,
        }
    }
}
