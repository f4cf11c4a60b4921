test_that("config errors are R conditions with the command line's text", {
  config <- repo_file("configs", "williams2018.toml")
  r <- cli("validate", config, "--set", "design.enrolled=-3")
  expect_equal(r$status, 2)
  cli_message <- sub("^error: ", "", paste(r$stderr, collapse = "\n"))
  e <- tryCatch(xo_validate(config, set = list(design.enrolled = -3)), error = identity)
  expect_s3_class(e, "crossoversim_error")
  # The package names the override by its argument `set` where the command line says --set.
  expect_identical(sub("set design", "--set design", conditionMessage(e), fixed = TRUE), cli_message)
  e2 <- tryCatch(xo_run(config, set = list(design.enrolled = -3)), error = identity)
  expect_identical(conditionMessage(e2), conditionMessage(e))
})

test_that("errors never show a Rust panic", {
  expect_error(xo_run("no/such/file.toml"), "cannot read config no/such/file.toml",
               class = "crossoversim_error")
  expect_error(xo_validate("[design]\nenrolled = \"many\"\n"), "^<config text>",
               class = "crossoversim_error")
  expect_error(xo_boundaries(c(0.5, 0.8)), "information fractions must end at 1",
               class = "crossoversim_error")
  expect_error(xo_boundaries(c(0.5, 1), spending = "nonesuch"), "^spending nonesuch",
               class = "crossoversim_error")
  expect_error(xo_init("5x5"), "^design 5x5: not a named design", class = "crossoversim_error")
  text <- xo_init("2x2")
  expect_error(xo_run(text, replicates = -1), "replicates", class = "crossoversim_error")
  expect_error(xo_run(text, threads = 0), "^threads 0: must be a whole number",
               class = "crossoversim_error")
  expect_error(xo_run(text, set = list(1)), "named list", class = "crossoversim_error")
  msg <- tryCatch(xo_run("no/such/file.toml"), error = conditionMessage)
  expect_false(grepl("panic|backtrace", msg))
})
