//! Power without simulation, in one place: the exact power of the t-based tests (TOST by Owen's
//! Q, one- and two-sided noncentral t) and their sample-size search (`t_tests`), the paired-t
//! references of the seed trial (`paired_t`), and which configured designs have exact power,
//! its value and the analytic N (`design`).
//!
//! The folder spans two layers: `t_tests` and `paired_t` know only numbers and sit just above
//! `numerics` (the two-stage decisions below `config` evaluate them), while `design` reads a
//! validated `TrialDesign` and sits above `config`. `tests/it/architecture.rs` ranks the
//! submodules separately.

pub mod design;
pub mod paired_t;
pub mod t_tests;
