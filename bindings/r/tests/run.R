# Runs the package's testthat tests against the installed package and prints one line
# "N passed, M failed" (what .ci/run reads); exits non-zero when a test failed.
#   R CMD INSTALL bindings/r && Rscript bindings/r/tests/run.R
suppressPackageStartupMessages({
  library(testthat)
  library(crossoversim)
})
args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "bindings/r/tests"
results <- as.data.frame(test_dir(
  file.path(here, "testthat"), reporter = "summary", stop_on_failure = FALSE
))
failed <- sum(results$failed > 0 | results$error)
skipped <- sum(results$skipped & !(results$failed > 0 | results$error))
passed <- nrow(results) - failed - skipped
cat(sprintf("%d passed, %d failed, %d skipped\n", passed, failed, skipped))
quit(status = if (failed > 0) 1 else 0)
