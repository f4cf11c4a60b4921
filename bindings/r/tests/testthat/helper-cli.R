# Where the repository and the command line are, for the tests that compare the package with
# the command line at the same seed. Inside an R CMD check of the bundled tarball there is no
# repository: those tests are skipped there.
repo_root <- function() {
  root <- normalizePath(file.path(testthat::test_path(), "..", "..", "..", ".."), mustWork = FALSE)
  if (file.exists(file.path(root, "configs", "williams2018.toml"))) root else NULL
}

repo_file <- function(...) {
  root <- repo_root()
  if (is.null(root)) testthat::skip("not inside the crossover-sim repository")
  file.path(root, ...)
}

# The command line: $CROSSOVER_SIM_BIN, a build in the repository's target folder (built with
# `cargo build --release` when there is none), or crossover-sim on the PATH.
cli_binary <- function() {
  bin <- Sys.getenv("CROSSOVER_SIM_BIN")
  if (nzchar(bin)) return(bin)
  root <- repo_root()
  if (is.null(root)) testthat::skip("not inside the crossover-sim repository")
  built <- file.path(root, "target", c("release", "opt-test"), "crossover-sim")
  found <- built[file.exists(built)]
  if (length(found)) return(found[[1]])
  status <- system2("cargo", c("build", "--release", "--quiet", "--manifest-path",
                               file.path(root, "Cargo.toml")))
  if (status == 0 && file.exists(built[[1]])) return(built[[1]])
  on_path <- Sys.which("crossover-sim")
  if (nzchar(on_path)) return(on_path)
  testthat::skip("the crossover-sim command line is not built")
}

# Runs the command line with `args`; returns list(status, stdout, stderr).
cli <- function(...) {
  out <- tempfile()
  err <- tempfile()
  status <- system2(cli_binary(), c(...), stdout = out, stderr = err)
  list(status = status, stdout = readLines(out, warn = FALSE), stderr = readLines(err, warn = FALSE))
}
