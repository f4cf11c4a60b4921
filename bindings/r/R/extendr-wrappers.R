# The native functions of src/rust/src/lib.rs (written by hand, as rextendr would generate
# them). Each returns list(ok = value) or list(error = message); R/crossoversim.R turns an
# error into a condition.

#' @useDynLib crossoversim, .registration = TRUE
NULL

xo_run_files <- function(config, set, replicates, seed, threads, progress) {
  .Call(wrap__xo_run_files, config, set, replicates, seed, threads, progress)
}

xo_sweep_files <- function(config, param, values, param2, values2, target_power, set,
                           replicates, seed, threads, progress) {
  .Call(wrap__xo_sweep_files, config, param, values, param2, values2, target_power, set,
        replicates, seed, threads, progress)
}

xo_validate_config <- function(config, set, replicates, seed) {
  .Call(wrap__xo_validate_config, config, set, replicates, seed)
}

xo_boundaries_json <- function(looks, spending, alpha, sided, gamma, rho, interim_z) {
  .Call(wrap__xo_boundaries_json, looks, spending, alpha, sided, gamma, rho, interim_z)
}

xo_samplesize_json <- function(config, target_power, adjust_alpha, set, replicates, seed,
                               threads, progress) {
  .Call(wrap__xo_samplesize_json, config, target_power, adjust_alpha, set, replicates, seed,
        threads, progress)
}

xo_init_text <- function(design, conditions, endpoint, file) {
  .Call(wrap__xo_init_text, design, conditions, endpoint, file)
}
