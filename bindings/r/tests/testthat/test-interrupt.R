test_that("Ctrl-C stops a long run and returns control with an interrupted error", {
  skip_on_os("windows")
  config <- repo_file("configs", "williams2018.toml")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "library(crossoversim)",
    "cat('started', '\\n'); flush(stdout())",
    sprintf("t0 <- Sys.time(); r <- tryCatch(xo_run('%s', replicates = 1e9, seed = 1, threads = 1), error = function(e) e)", config),
    "cat('class:', class(r)[1], '\\n')",
    "cat('message:', conditionMessage(r), '\\n')",
    "cat('after:', 'control returned', '\\n')"
  ), script)
  log <- tempfile()
  started <- Sys.time()
  # SIGINT is what Ctrl-C sends; R's handler marks it pending and the package's poll sees it.
  # Signalled once the package is loaded and the run started, not during R's start-up.
  system(sprintf(paste(
    "%s --vanilla %s > %s 2>&1 & pid=$!;",
    "for i in $(seq 100); do grep -q started %s && break; sleep 0.1; done;",
    "sleep 2; kill -INT $pid; wait $pid"
  ), file.path(R.home("bin"), "Rscript"), script, log, log))
  elapsed <- as.numeric(difftime(Sys.time(), started, units = "secs"))
  output <- paste(readLines(log), collapse = "\n")
  expect_match(output, "class: crossoversim_error", fixed = TRUE)
  expect_match(output, "message: interrupted", fixed = TRUE)
  expect_match(output, "after: control returned", fixed = TRUE)
  # A billion replicates take hours; the run stopped within seconds of the signal.
  expect_lt(elapsed, 60)
})
