//! crossover-sim: Monte Carlo operating characteristics of two-condition crossover trials with
//! interim analyses.
//!
//! The pipeline is `config` (load and validate a TOML design) → `model` (draw one cohort) →
//! `analysis` (the tests run on it) and `sequential` (boundaries and stopping rules) → `engine`
//! (replicates in parallel, exact aggregation) → `report` (JSON, CSV, Markdown, SVG).

#![deny(missing_docs)]

pub mod analysis;
pub mod analytic;
pub mod batch;
pub mod claim;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod interrupt;
pub mod model;
pub mod report;
pub mod run;
pub mod sequential;
pub mod shard;
pub mod sweep;

pub use error::Error;
