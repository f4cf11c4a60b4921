//! The integration tests, one binary: each module was once its own test binary, and linking
//! two dozen of them dominated the test build. Shared helpers live in `common`.

mod anova;
mod architecture;
mod be_plots;
mod bias;
mod bindings;
mod calibration;
mod cli;
#[allow(dead_code)] // not every module uses every helper
mod common;
mod config_docs;
mod csv_outputs;
mod degenerate;
mod designs;
mod general_designs;
mod html_report;
mod hypotheses;
mod init;
mod jobs;
mod look_data;
mod metrics;
mod multiplicity;
mod new_user;
mod nothing_lost;
mod null_twins;
mod outputs_docs;
mod pinned;
mod power_reference;
mod properties;
mod reliability;
mod report_consistency;
mod report_wording;
mod reproducibility;
mod scaled;
mod sequential;
mod shards;
mod time_course;
mod two_stage;
mod two_stage_formulations;
mod two_stage_inverse_normal;
mod two_stage_reports;
mod two_stage_scaled;
mod two_stage_sweeps;
mod two_stage_variants;
