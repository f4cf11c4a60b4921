//! crossover-sim: Monte Carlo operating characteristics of crossover trials (any number of
//! conditions, periods and sequences) with interim analyses.
//!
//! The pipeline is `config` (load and validate a TOML design) → `model` (draw one cohort) →
//! `analysis` (estimates on it) → `inference` (decisions) and `sequential` (boundaries and
//! stopping rules) → `engine` (replicates in parallel, exact aggregation) → `report` (JSON, CSV,
//! Markdown, SVG, HTML). `docs/architecture.md` describes the layers.
//!
//! Simulating a shipped design without the command line:
//!
//! ```
//! use crossover_sim::config::{self, Override};
//! use crossover_sim::engine::NoProgress;
//! use std::path::Path;
//!
//! let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/designs/design_2x2x4.toml");
//! let fewer = Override::parse("simulation.replicates=2000").unwrap();
//! let loaded = config::load(&path, &[fewer]).unwrap();
//! let report = crossover_sim::run::simulate(&loaded, &NoProgress).unwrap();
//! assert_eq!(report.replicates, 2000);
//! let power = report.primary.power.estimate;
//! assert!(power > 0.7 && power < 0.95, "power {power}"); // exact: 0.826 (noncentral t)
//! ```

#![deny(missing_docs)]

pub mod adaptive;
pub mod alpha_adjustment;
pub mod analysis;
pub mod batch;
pub mod bindings;
pub mod boundary_request;
pub mod calibration;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod design;
pub mod engine;
pub mod error;
pub mod facts;
pub mod inference;
pub mod interrupt;
pub mod model;
pub mod numerics;
pub mod power;
pub mod report;
pub mod run;
pub mod sample_size;
pub mod sequential;
pub mod shard;
pub mod studies;
pub mod sweep;
pub mod two_stage_trial;

pub use error::Error;
